//! The checks of F5 step 5 as the form makes them before asking the server (which checks again
//! with the same rules, `protocol::payment`): full-width digits and letters count as their ASCII
//! forms, hyphens and spaces are ignored.

pub use protocol::payment::{mask, Field, PaymentInput};

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

/// Normalizes the three fields as typed and checks them in the order the form shows them.
pub fn payment_input(
    payment_service_id: &str,
    security_code: &str,
    phone_last4: &str,
) -> Result<PaymentInput, Field> {
    PaymentInput::check(
        ascii(payment_service_id),
        ascii(security_code),
        ascii(phone_last4),
    )
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
