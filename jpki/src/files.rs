//! Application identifiers and elementary-file identifiers of the card (`docs/card.md` §1–§2).

/// The JPKI application (公的個人認証AP), selected by DF name.
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// The card-info input support application (券面事項入力補助AP). The portal never selects it;
/// it is listed so that the virtual card can answer for it and tests can prove it is refused.
pub const CARD_INFO_INPUT_AID: [u8; 10] =
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// The card's common application (共通AP): it holds the card number record that the official
/// Portal AP and other hosts read. The portal never selects it; the virtual card answers for it
/// so that peer hosts can run against it (docs/virtual-card.md).
pub const COMMON_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];
/// The card number record file of the common application (record 1; short EF identifier 1).
pub const EF_COMMON_CARD_NUMBER: u16 = 0x0001;

/// Signing certificate (needs the signing password before it can be read).
pub const EF_SIGN_CERT: u16 = 0x0001;
/// CA certificate of the signing certificate.
pub const EF_SIGN_CA_CERT: u16 = 0x0002;
/// Token information, 160 bytes, starting with a space-padded 32-byte label.
pub const EF_TOKEN_INFO: u16 = 0x0006;
/// User-authentication certificate (利用者証明用電子証明書), free to read.
pub const EF_AUTH_CERT: u16 = 0x000A;
/// CA certificate of the user-authentication certificate.
pub const EF_AUTH_CA_CERT: u16 = 0x000B;
/// User-authentication private key (RSA-2048).
pub const EF_AUTH_KEY: u16 = 0x0017;
/// User-authentication PIN: 4 digits, 3 tries.
pub const EF_AUTH_PIN: u16 = 0x0018;
/// Signing private key (RSA-2048).
pub const EF_SIGN_KEY: u16 = 0x001A;
/// Signing password: 6–16 characters `[A-Z0-9]`, 5 tries.
pub const EF_SIGN_PIN: u16 = 0x001B;

/// Tries of the user-authentication PIN when it is not blocked and fully reset.
pub const AUTH_PIN_MAX_TRIES: u8 = 3;
/// Tries of the signing password when fully reset.
pub const SIGN_PIN_MAX_TRIES: u8 = 5;

/// Label of a My Number Card in the token-info file.
pub const TOKEN_LABEL_MY_NUMBER_CARD: &str = "JPKIAPICCTOKEN2";
/// Label of the older Basic Resident Registration card (住基カード).
pub const TOKEN_LABEL_JUKI_CARD: &str = "JPKIAPICCTOKEN";
/// Label of the Android phone certificate.
pub const TOKEN_LABEL_ANDROID: &str = "JPKIAPGPSETOKEN";
/// Label of the iPhone certificate.
pub const TOKEN_LABEL_IPHONE: &str = "JPKIAPIOSTOKEN";
/// Length of the label at the start of the token-info file.
pub const TOKEN_LABEL_LEN: usize = 32;
/// Size of the token-info file.
pub const TOKEN_INFO_LEN: usize = 160;
