//! The checks of F5 step 5 as the form makes them before asking the server (which checks again
//! with the same rules, `protocol::payment`): full-width digits and letters count as their ASCII
//! forms, hyphens and spaces are ignored.

pub use protocol::payment::{mask, Field, PaymentInput};

/// Normalizes the three fields as typed and checks them in the order the form shows them
/// (`protocol::payment`: the server reads them with the same rules and the same normalizer).
///
/// # Errors
/// The first field that is not acceptable, in the form's order.
pub fn payment_input(
    payment_service_id: &str,
    security_code: &str,
    phone_last4: &str,
) -> Result<PaymentInput, Field> {
    PaymentInput::parse(payment_service_id, security_code, phone_last4)
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
