//! Just enough DER to know how long an object is: the card's EFs are larger than what they hold
//! and are padded with `FF` filler after the TLV object (`docs/card.md` §2). A full ASN.1 parser is not
//! needed to read a length and would drag a dependency into a no-I/O crate that only needs this.

/// Why a DER header could not give a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DerError {
    /// Not enough bytes to read the tag and length.
    #[error("the DER header is truncated")]
    Truncated,
    /// The first byte is filler or a tag this code does not accept (only one-byte tags).
    #[error("the data does not start with a DER object")]
    NotDer,
    /// Indefinite length, a non-minimal length, or a length over 4 bytes.
    #[error("the DER length is malformed")]
    BadLength,
}

/// Total size (tag + length + value) of the DER object at the start of `header`.
/// A header is at most 6 bytes (one tag byte, a length of at most 4 bytes after its own byte);
/// the bridge passes the first 256-byte chunk it read.
///
/// # Errors
/// [`DerError`] when `header` is too short for its tag and length, or the length is not a
/// definite DER length of at most 4 bytes.
pub fn der_total_length(header: &[u8]) -> Result<usize, DerError> {
    let (&tag, rest) = header.split_first().ok_or(DerError::Truncated)?;
    if tag == 0xFF || tag == 0x00 || tag & 0x1F == 0x1F {
        return Err(DerError::NotDer);
    }
    let (&first, rest) = rest.split_first().ok_or(DerError::Truncated)?;
    if first < 0x80 {
        return Ok(2 + usize::from(first));
    }
    let n_length_bytes = usize::from(first & 0x7F);
    if n_length_bytes == 0 || n_length_bytes > 4 {
        return Err(DerError::BadLength);
    }
    let bytes = rest.get(..n_length_bytes).ok_or(DerError::Truncated)?;
    if bytes[0] == 0 {
        return Err(DerError::BadLength);
    }
    let length = bytes
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    if length < 0x80 {
        return Err(DerError::BadLength);
    }
    Ok(2 + n_length_bytes + length)
}

/// The DER object at the start of `bytes`, without the filler after it.
///
/// # Errors
/// As [`der_total_length`], and [`DerError`] when `bytes` ends before the object does.
pub fn trim_to_der(bytes: &[u8]) -> Result<&[u8], DerError> {
    let total = der_total_length(bytes)?;
    bytes.get(..total).ok_or(DerError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_from_headers() {
        // A 1583-byte end-entity certificate (JPKIReader's comment: 30 82 06 2B).
        assert_eq!(
            der_total_length(&[0x30, 0x82, 0x06, 0x2B, 0x30, 0x82, 0x05]),
            Ok(0x062B + 4)
        );
        assert_eq!(der_total_length(&[0x30, 0x81, 0x80]), Ok(3 + 0x80));
        assert_eq!(der_total_length(&[0x04, 0x05]), Ok(7));
        assert_eq!(
            der_total_length(&[0x30, 0x83, 0x01, 0x00, 0x00]),
            Ok(5 + 0x10000)
        );
    }

    #[test]
    fn bad_headers() {
        assert_eq!(der_total_length(&[]), Err(DerError::Truncated));
        assert_eq!(der_total_length(&[0x30]), Err(DerError::Truncated));
        assert_eq!(
            der_total_length(&[0x30, 0x82, 0x06]),
            Err(DerError::Truncated)
        );
        assert_eq!(der_total_length(&[0xFF, 0xFF, 0xFF]), Err(DerError::NotDer));
        assert_eq!(der_total_length(&[0x30, 0x80]), Err(DerError::BadLength));
        assert_eq!(
            der_total_length(&[0x30, 0x85, 1, 1, 1, 1, 1]),
            Err(DerError::BadLength)
        );
        assert_eq!(
            der_total_length(&[0x30, 0x81, 0x10]),
            Err(DerError::BadLength)
        );
        assert_eq!(
            der_total_length(&[0x30, 0x82, 0x00, 0x90]),
            Err(DerError::BadLength)
        );
    }

    #[test]
    fn filler_is_trimmed() {
        let padded = [0x30, 0x03, 0x02, 0x01, 0x05, 0xFF, 0xFF, 0xFF];
        assert_eq!(trim_to_der(&padded), Ok(&padded[..5]));
        assert_eq!(trim_to_der(&padded[..4]), Err(DerError::Truncated));
    }
}
