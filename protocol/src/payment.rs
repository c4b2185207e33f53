//! The rules of the MyNa Point application's input (docs/flows.md F5 step 5), shared by the SPA, which
//! checks before asking, and the server, which checks again: which fields there are, what each
//! accepts once normalized, and how an ID is shown masked. Both sides normalize the typed text
//! with the one [`normalize`] (full-width forms as ASCII, spaces and dash-like separators
//! dropped) and then call [`PaymentInput::check`] — or [`PaymentInput::parse`], which does both.

/// A field of the application that is not acceptable (the API's `INVALID_FIELD` names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Field {
    /// 決済サービスID: required, 4–32 letters or digits.
    #[error("the payment-service ID must be 4 to 32 letters or digits")]
    PaymentServiceId,
    /// セキュリティコード: required, 3–16 letters or digits.
    #[error("the security code must be 3 to 16 letters or digits")]
    SecurityCode,
    /// 電話番号(下4桁): optional, exactly 4 digits.
    #[error("the last 4 digits of the phone number must be 4 digits")]
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

/// The three fields, checked. `Debug` masks the ID and hides the security code.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentInput {
    /// The payment-service ID: ASCII letters and digits.
    pub payment_service_id: String,
    /// The security code: ASCII letters and digits; sent to the provider, never stored, logged
    /// or shown again.
    pub security_code: String,
    /// The phone number's last 4 digits, when given.
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

/// The typed text as the checks read it: full-width ASCII (U+FF01–U+FF5E) as ASCII; spaces (ASCII
/// and ideographic) and the dashes people type between groups of digits dropped (`-`, `－`, `ー`,
/// `ｰ`, `‐` `‑` `‒` `–` `—` `―`, `−`). Nothing else changes: other look-alikes (`①`, `²`,
/// half-width katakana) stay as typed and fail the check, on the page and on the server alike.
/// Written out rather than Unicode NFKC so that the page and the server agree character for
/// character without the normalization tables in the page's wasm.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            ' ' | '\u{3000}' | '-' | '－' | 'ー' | 'ｰ' | '\u{2010}'..='\u{2015}' | '\u{2212}' => {
                None
            }
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            _ => Some(c),
        })
        .collect()
}

fn alnum(text: &str, range: std::ops::RangeInclusive<usize>) -> bool {
    range.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl PaymentInput {
    /// Checks normalized fields in the order the form shows them; an empty phone is no phone.
    ///
    /// # Errors
    /// The first [`Field`] that is not acceptable, in the form's order.
    pub fn check(
        payment_service_id: String,
        security_code: String,
        phone_last4: String,
    ) -> Result<Self, Field> {
        if !alnum(&payment_service_id, 4..=32) {
            return Err(Field::PaymentServiceId);
        }
        if !alnum(&security_code, 3..=16) {
            return Err(Field::SecurityCode);
        }
        let phone_last4 = match phone_last4.len() {
            0 => None,
            4 if phone_last4.bytes().all(|b| b.is_ascii_digit()) => Some(phone_last4),
            _ => return Err(Field::PhoneLast4),
        };
        Ok(Self {
            payment_service_id,
            security_code,
            phone_last4,
        })
    }

    /// [`normalize`]s the three fields as typed, then [`PaymentInput::check`]s them.
    ///
    /// # Errors
    /// The first field, in the form's order, that is not acceptable.
    pub fn parse(
        payment_service_id: &str,
        security_code: &str,
        phone_last4: &str,
    ) -> Result<Self, Field> {
        Self::check(
            normalize(payment_service_id),
            normalize(security_code),
            normalize(phone_last4),
        )
    }

    /// The last four characters of the ID, all a receipt keeps of it.
    pub fn last4(&self) -> String {
        last_chars(&self.payment_service_id, 4)
    }
}

/// The receipt's masked form of an ID: `*****` and its last four characters (`*****8901`).
pub fn mask(id: &str) -> String {
    format!("*****{}", last_chars(id, 4))
}

fn last_chars(text: &str, n: usize) -> String {
    let skip = text.chars().count().saturating_sub(n);
    text.chars().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, code: &str, phone: &str) -> Result<PaymentInput, Field> {
        PaymentInput::check(id.into(), code.into(), phone.into())
    }

    #[test]
    fn each_field_is_checked_in_order() {
        assert_eq!(check("", "", "x"), Err(Field::PaymentServiceId));
        assert_eq!(check("abcd", "", "x"), Err(Field::SecurityCode));
        assert_eq!(check("abcd", "123", "12a4"), Err(Field::PhoneLast4));
        assert_eq!(check("abcd", "123", "123"), Err(Field::PhoneLast4));
        let input = check("abcd", "123", "").expect("valid");
        assert_eq!(input.phone_last4, None);
        assert!(check(&"a".repeat(33), "123", "").is_err());
        assert!(check("abcd", &"1".repeat(17), "").is_err());
    }

    #[test]
    fn ids_are_masked_and_debug_hides_the_code() {
        let input = check("12345678901", "SECRET", "0987").expect("valid");
        assert_eq!(mask(&input.payment_service_id), "*****8901");
        assert_eq!(input.last4(), "8901");
        let debug = format!("{input:?}");
        assert!(
            !debug.contains("SECRET") && !debug.contains("12345678901"),
            "{debug}"
        );
    }

    /// The one table the page and the server are both held to (they both call `normalize`).
    #[test]
    fn typed_forms_normalize_the_same_everywhere() {
        for (typed, read) in [
            ("１２３４ー５６７８", "12345678"),
            ("1234－5678", "12345678"),
            ("1234‐5678", "12345678"),
            ("1234–5678—90", "1234567890"),
            ("1234−5678", "12345678"),
            ("1234ｰ5678", "12345678"),
            ("ＡＢＣ　１２３", "ABC123"),
            (" ab cd ", "abcd"),
            ("①②③④", "①②③④"),
            ("１２³4", "12³4"),
        ] {
            assert_eq!(normalize(typed), read, "{typed}");
        }
        assert!(PaymentInput::parse("１２３４ー５６７８", "ａｂｃ", "０９８７").is_ok());
        // Circled digits are not digits, on either side.
        assert_eq!(
            PaymentInput::parse("①②③④", "123", ""),
            Err(Field::PaymentServiceId)
        );
        assert_eq!(
            PaymentInput::parse("1234", "123", "０９８⑦"),
            Err(Field::PhoneLast4)
        );
    }

    #[test]
    fn api_names_go_both_ways() {
        for field in [
            Field::PaymentServiceId,
            Field::SecurityCode,
            Field::PhoneLast4,
        ] {
            assert_eq!(Field::from_api_name(field.api_name()), Some(field));
        }
        assert_eq!(Field::from_api_name("pin"), None);
    }
}
