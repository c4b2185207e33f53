//! The user-authentication PIN: exactly four ASCII digits, wiped from memory when dropped.

use zeroize::Zeroizing;

/// Why a string is not a user-authentication PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the PIN must be exactly 4 digits (0-9)")]
pub struct PinFormatError;

/// A PIN in the format the card accepts: four ASCII digits. Checked before any APDU is sent, so a
/// malformed PIN can never cost a try. It has no `Debug` or `Display` that shows the digits.
pub struct AuthPin(Zeroizing<[u8; 4]>);

impl AuthPin {
    /// Checks the format.
    ///
    /// # Errors
    /// [`PinFormatError`] unless `pin` is exactly four ASCII digits.
    pub fn parse(pin: &str) -> Result<Self, PinFormatError> {
        let bytes = pin.as_bytes();
        if bytes.len() != 4 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(PinFormatError);
        }
        let mut out = Zeroizing::new([0u8; 4]);
        out.copy_from_slice(bytes);
        Ok(Self(out))
    }

    /// The bytes VERIFY carries.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0[..]
    }
}

impl std::fmt::Debug for AuthPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthPin(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_four_ascii_digits_pass() {
        assert!(AuthPin::parse("0000").is_ok());
        assert!(AuthPin::parse("1234").is_ok());
        for bad in [
            "",
            "123",
            "12345",
            "12a4",
            "１２３４",
            " 123",
            "12 4",
            "٠١٢٣",
        ] {
            assert_eq!(AuthPin::parse(bad).err(), Some(PinFormatError), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_digits() {
        let pin = AuthPin::parse("4321").expect("valid");
        assert_eq!(format!("{pin:?}"), "AuthPin(****)");
    }
}
