//! The checks of F5 step 5 as the form makes them before asking the server (which checks again):
//! full-width digits and letters count as their ASCII forms, hyphens and spaces are ignored.

/// Which field is wrong (the server's `INVALID_FIELD` names the same ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// 決済サービスID: required, 4–32 letters or digits.
    PaymentServiceId,
    /// セキュリティコード: required, 3–16 letters or digits.
    SecurityCode,
    /// 電話番号(下4桁): optional, exactly 4 digits.
    PhoneLast4,
}

impl Field {
    /// The field's name in the API.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::PaymentServiceId => "paymentServiceId",
            Self::SecurityCode => "securityCode",
            Self::PhoneLast4 => "phoneLast4",
        }
    }

    /// The field of an API name.
    pub fn from_api_name(name: &str) -> Option<Self> {
        [Self::PaymentServiceId, Self::SecurityCode, Self::PhoneLast4]
            .into_iter()
            .find(|field| field.api_name() == name)
    }
}

/// The three fields, normalized.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentInput {
    /// ASCII letters and digits.
    pub payment_service_id: String,
    /// ASCII letters and digits; never shown again after the input step.
    pub security_code: String,
    /// 4 digits, when given.
    pub phone_last4: Option<String>,
}

impl std::fmt::Debug for PaymentInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentInput")
            .field("payment_service_id", &mask(&self.payment_service_id))
            .field("security_code", &"<hidden>")
            .field("phone_last4", &self.phone_last4)
            .finish()
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) as ASCII; spaces (also the ideographic one) and hyphens
/// (also `－` and `ー`) dropped.
pub fn ascii(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            ' ' | '\u{3000}' | '-' | '－' | 'ー' | '‐' => None,
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            _ => Some(c),
        })
        .collect()
}

fn alnum(text: &str, range: std::ops::RangeInclusive<usize>) -> bool {
    range.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Checks the fields in the order the form shows them.
pub fn payment_input(
    payment_service_id: &str,
    security_code: &str,
    phone_last4: &str,
) -> Result<PaymentInput, Field> {
    let id = ascii(payment_service_id);
    if !alnum(&id, 4..=32) {
        return Err(Field::PaymentServiceId);
    }
    let code = ascii(security_code);
    if !alnum(&code, 3..=16) {
        return Err(Field::SecurityCode);
    }
    let phone = ascii(phone_last4);
    let phone = match phone.len() {
        0 => None,
        4 if phone.bytes().all(|b| b.is_ascii_digit()) => Some(phone),
        _ => return Err(Field::PhoneLast4),
    };
    Ok(PaymentInput {
        payment_service_id: id,
        security_code: code,
        phone_last4: phone,
    })
}

/// `*****` and the last four characters, as the receipt shows an ID.
pub fn mask(id: &str) -> String {
    let skip = id.chars().count().saturating_sub(4);
    format!("*****{}", id.chars().skip(skip).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_input_counts_as_ascii() {
        let input = payment_input("１２３４ー５６７８", "１２３", "０９８７").expect("valid");
        assert_eq!(input.payment_service_id, "12345678");
        assert_eq!(input.security_code, "123");
        assert_eq!(input.phone_last4.as_deref(), Some("0987"));
        assert!(!format!("{input:?}").contains("\"123\""));
    }

    #[test]
    fn each_field_is_checked_in_order() {
        assert_eq!(payment_input("", "", "x"), Err(Field::PaymentServiceId));
        assert_eq!(
            payment_input("123", "123", ""),
            Err(Field::PaymentServiceId)
        );
        assert_eq!(
            payment_input("12345678", "12", ""),
            Err(Field::SecurityCode)
        );
        assert_eq!(
            payment_input("12345678", "123", "12"),
            Err(Field::PhoneLast4)
        );
        assert_eq!(
            payment_input("12345678", "123", "12ab"),
            Err(Field::PhoneLast4)
        );
        assert_eq!(
            payment_input("12345678", "123", "").map(|i| i.phone_last4),
            Ok(None)
        );
        assert_eq!(
            Field::from_api_name("securityCode"),
            Some(Field::SecurityCode)
        );
        assert_eq!(mask("12345678901"), "*****8901");
    }
}
