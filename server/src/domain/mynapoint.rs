//! MyNa Point (docs/flows.md F4, F5): the payment-service catalogue and its kana-insensitive search,
//! MyKey IDs, the checks of the application's input, and the receipt's masked values.
//!
//! Pure: no I/O except reading the catalogue file.

use rand::Rng as _;
use sha2::{Digest as _, Sha256};
use unicode_normalization::UnicodeNormalization as _;

/// One payment service of the catalogue (a wire type: the SPA reads it too).
pub use protocol::mynapoint::Service;

/// What is wrong with a catalogue file.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// Not the expected JSON.
    #[error("the payment-service file is not a JSON array of services: {0}")]
    Json(#[from] serde_json::Error),
    /// A field is invalid.
    #[error("payment service {index}: {message}")]
    Invalid {
        /// From 1.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

/// The payment services, in file order, with their search keys.
#[derive(Debug, Clone)]
pub struct Catalogue {
    services: Vec<(Service, String)>,
}

/// The catalogue built in (fictitious services for the default set-up and the tests).
pub const BUILT_IN: &str = include_str!("../../data/payment-services.json");

impl Catalogue {
    /// Parses and checks a catalogue: registration numbers `MP` + 7 digits and unique, names and
    /// kana present.
    ///
    /// # Errors
    /// [`CatalogueError`] when the text is not the catalogue's JSON, or a registration number is
    /// there twice or malformed.
    pub fn from_json(text: &str) -> Result<Self, CatalogueError> {
        let services: Vec<Service> = serde_json::from_str(text)?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(services.len());
        for (i, service) in services.into_iter().enumerate() {
            let invalid = |message: String| CatalogueError::Invalid {
                index: i + 1,
                message,
            };
            if !is_registration_number(&service.registration_number) {
                return Err(invalid(format!(
                    "registrationNumber must be MP and 7 digits, not {:?}",
                    service.registration_number
                )));
            }
            if !seen.insert(service.registration_number.clone()) {
                return Err(invalid(format!(
                    "registrationNumber {} appears twice",
                    service.registration_number
                )));
            }
            if service.name.trim().is_empty() || service.kana.trim().is_empty() {
                return Err(invalid("name and kana must not be empty".into()));
            }
            let key = search_key(&format!(
                "{}\u{1f}{}\u{1f}{}",
                service.name, service.kana, service.category
            ));
            out.push((service, key));
        }
        Ok(Self { services: out })
    }

    /// The built-in catalogue.
    pub fn built_in() -> Self {
        // The built-in file is checked by a test; an empty catalogue is the fallback.
        Self::from_json(BUILT_IN).unwrap_or(Self {
            services: Vec::new(),
        })
    }

    /// How many services there are.
    pub fn len(&self) -> usize {
        self.services.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// The service with this registration number.
    pub fn get(&self, registration_number: &str) -> Option<&Service> {
        self.services
            .iter()
            .map(|(service, _)| service)
            .find(|service| service.registration_number == registration_number)
    }

    /// The services whose name, kana or category contain `query`, whatever the script it is
    /// typed in (hiragana, full- or half-width katakana, full- or half-width Latin). An empty
    /// query lists every service.
    pub fn search(&self, query: &str) -> Vec<&Service> {
        let query = search_key(query);
        self.services
            .iter()
            .filter(|(_, key)| key.contains(&query))
            .map(|(service, _)| service)
            .collect()
    }
}

/// Whether `text` is `MP` and 7 ASCII digits.
pub fn is_registration_number(text: &str) -> bool {
    text.len() == 9 && text.starts_with("MP") && text.bytes().skip(2).all(|b| b.is_ascii_digit())
}

/// The form in which search compares text: NFKC (half-width katakana and full-width Latin
/// become their usual forms), hiragana as katakana, Latin in lower case, no spaces or middle
/// dots.
pub fn search_key(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '・' | '･'))
        .map(|c| match c {
            // Hiragana ぁ (U+3041) … ゖ (U+3096) sit 0x60 below their katakana.
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The alphabet of MyKey IDs: capitals and digits without the look-alikes 0/O, 1/I.
const MYKEY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A new random MyKey ID: 8 characters (40 bits).
pub fn new_mykey_id() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| char::from(MYKEY_ALPHABET[rng.gen_range(0..MYKEY_ALPHABET.len())]))
        .collect()
}

/// A new 申込処理番号: 20 random digits in groups of four (`1234 5678 9012 3456 7890`).
pub fn new_receipt_number() -> String {
    let mut rng = rand::thread_rng();
    let digits: Vec<char> = (0..20)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect();
    digits
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rules of the input and their normalizer are shared with the SPA (`protocol::payment`),
/// so the page and the server never disagree on what was typed.
pub use protocol::payment::{mask, Field as FieldError, PaymentInput};

/// Checks the three fields of F5 step 5 as typed, in the order the form shows them.
///
/// # Errors
/// The first field that is not acceptable, in the form's order (`protocol::payment`).
pub fn parse_input(
    payment_service_id: &str,
    security_code: &str,
    phone_last4: Option<&str>,
) -> Result<PaymentInput, FieldError> {
    PaymentInput::parse(
        payment_service_id,
        security_code,
        phone_last4.unwrap_or_default(),
    )
}

/// The key under which an ID is stored: SHA-256 of the service and the ID (upper case), so one
/// ID of one service is used once across everyone without the database holding it.
pub fn payment_key(input: &PaymentInput, registration_number: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(registration_number.as_bytes());
    hash.update(b"|");
    hash.update(input.payment_service_id.to_ascii_uppercase().as_bytes());
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalogue_is_valid_and_has_at_least_20_services() {
        let catalogue = Catalogue::from_json(BUILT_IN).expect("valid");
        assert!(catalogue.len() >= 20, "{}", catalogue.len());
        assert!(catalogue
            .search("")
            .iter()
            .any(|service| !service.kiosk_applicable));
        assert_eq!(
            catalogue.get("MP0000001").map(|s| s.name.as_str()),
            Some("□□カード")
        );
    }

    #[test]
    fn search_matches_katakana_hiragana_and_half_width_alike() {
        let catalogue = Catalogue::built_in();
        let names = |q: &str| -> Vec<String> {
            catalogue.search(q).iter().map(|s| s.name.clone()).collect()
        };
        let expected = vec!["さくらペイ".to_owned()];
        assert_eq!(names("サクラ"), expected);
        assert_eq!(names("さくら"), expected);
        assert_eq!(names("ｻｸﾗ"), expected);
        assert_eq!(names("さくら ぺい"), expected);
        // Latin in any width and case.
        assert!(names("ＰＡＹ").contains(&"つばめPay".to_owned()));
        assert!(names("pay").contains(&"つばめPay".to_owned()));
        // By category.
        assert!(names("デビット").len() >= 3);
        assert!(names("存在しない").is_empty());
    }

    #[test]
    fn the_catalogue_refuses_bad_registration_numbers_and_duplicates() {
        let one = r#"{"registrationNumber":"MP0000001","name":"a","kana":"ア","category":"c","paymentMethod":"前払","kioskApplicable":true}"#;
        assert!(Catalogue::from_json(&format!("[{one},{one}]")).is_err());
        let bad = one.replace("MP0000001", "MP01");
        assert!(Catalogue::from_json(&format!("[{bad}]")).is_err());
    }

    #[test]
    fn input_is_normalized_and_checked_field_by_field() {
        let input =
            parse_input("１２３４-５６７８-９０１", " 123 ", Some("０９８７")).expect("valid");
        assert_eq!(input.payment_service_id, "12345678901");
        assert_eq!(input.security_code, "123");
        assert_eq!(input.phone_last4.as_deref(), Some("0987"));
        assert_eq!(mask(&input.payment_service_id), "*****8901");
        assert!(!format!("{input:?}").contains("123\""));
        assert_eq!(
            parse_input("", "123", None),
            Err(FieldError::PaymentServiceId)
        );
        assert_eq!(
            parse_input("12345678", "", None),
            Err(FieldError::SecurityCode)
        );
        assert_eq!(
            parse_input("12345678", "123", Some("12a4")),
            Err(FieldError::PhoneLast4)
        );
        assert_eq!(
            parse_input("12345678", "123", Some(""))
                .expect("empty phone is fine")
                .phone_last4,
            None
        );
    }

    /// Where the page and the server used to disagree (issue 13): the page dropped 「ー」 and 「‐」
    /// and refused 「①」; the server (NFKC) refused 「ー」 and 「‐」 and read 「①」 as 1.
    #[test]
    fn the_server_reads_input_as_the_page_does() {
        for typed in ["1234ー5678", "1234‐5678", "１２３４－５６７８"] {
            let input = parse_input(typed, "123", None).expect(typed);
            assert_eq!(input.payment_service_id, "12345678", "{typed}");
        }
        assert_eq!(
            parse_input("①②③④", "123", None),
            Err(FieldError::PaymentServiceId)
        );
        assert_eq!(
            parse_input("12345678", "123", Some("①②③④")),
            Err(FieldError::PhoneLast4)
        );
    }

    #[test]
    fn the_payment_key_ignores_case_and_depends_on_the_service() {
        let a = parse_input("abcd1234", "123", None).expect("valid");
        let b = parse_input("ABCD1234", "999", None).expect("valid");
        assert_eq!(payment_key(&a, "MP0000001"), payment_key(&b, "MP0000001"));
        assert_ne!(payment_key(&a, "MP0000001"), payment_key(&a, "MP0000002"));
    }

    #[test]
    fn ids_and_receipt_numbers_have_their_shapes() {
        let id = new_mykey_id();
        assert_eq!(id.len(), 8);
        assert!(id.bytes().all(|b| MYKEY_ALPHABET.contains(&b)));
        let receipt = new_receipt_number();
        assert_eq!(receipt.len(), 24);
        assert!(receipt
            .split(' ')
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit())));
    }
}
