//! Ready-made test cards for the tests and benchmarks of every crate: one test CA and one card of
//! each kind are issued once per process (RSA key generation takes a while), and each test gets
//! its own copy, so tries and PIN changes never leak between tests.

use std::path::{Path, PathBuf};

use crate::{
    pki::{CardCertOptions, Period, SerialShape},
    store::{CaDir, NewCard},
    CardDir, CardKind, StoreError,
};

/// The signing password of the fixture cards.
pub const SIGN_PASSWORD: &str = "ABC123";

/// Start of validity of the fixtures: 2020-01-01T00:00:00Z, so that tests may set their clock to
/// any fixed date since then.
pub const VALID_FROM: u64 = 1_577_836_800;

/// The validity of the fixtures: from [`VALID_FROM`] to five years from now.
pub fn validity() -> Period {
    Period {
        not_before: VALID_FROM,
        not_after: Period::from_now(5 * 365).not_after,
    }
}

/// A test CA with a My Number Card and another card issued under it.
pub struct Templates {
    root: tempfile::TempDir,
    jpki: PathBuf,
    other: PathBuf,
}

impl Templates {
    /// Issues the CA and the two cards with `pin`.
    ///
    /// # Errors
    /// [`StoreError`] when the temporary directory, the CA or a card cannot be made.
    pub fn new(pin: &str) -> Result<Self, StoreError> {
        let root = tempfile::tempdir().map_err(|source| StoreError::Io {
            path: "temporary directory".into(),
            source,
        })?;
        let ca = CaDir::create_with(&root.path().join("ca"), validity())?;
        // The template My Number Card's serial has its high bit set: DER writes it with a
        // leading 00, the shape about half of real cards have and the one that once kept them
        // from applying. `another_person` goes through the other shapes in turn.
        let make = |name: &str, kind| -> Result<PathBuf, StoreError> {
            let dir = root.path().join(name);
            let new = NewCard {
                pin,
                sign_password: SIGN_PASSWORD,
                kind,
                certs: CardCertOptions {
                    period: validity(),
                    auth_serial: SerialShape::HighBit,
                    ..CardCertOptions::default()
                },
            };
            CardDir::create(&dir, &ca, &new)?;
            Ok(dir)
        };
        let jpki = make("jpki", CardKind::Jpki)?;
        let other = make("other", CardKind::Other)?;
        Ok(Self { root, jpki, other })
    }

    /// The CA directory.
    pub fn ca_dir(&self) -> PathBuf {
        self.root.path().join("ca")
    }

    /// A copy of the My Number Card in `into` with a certificate of its own (a new serial for
    /// the same key): another person, for tests that need many, without generating a key each.
    /// Each call takes the next of [`SerialShape::ALL`], so a suite meets every shape.
    ///
    /// # Errors
    /// [`StoreError`] when the card cannot be copied or its certificate issued.
    pub fn another_person(&self, into: &Path) -> Result<CardDir, StoreError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let shape =
            &SerialShape::ALL[NEXT.fetch_add(1, Ordering::Relaxed) % SerialShape::ALL.len()];
        let card = self.copy_card(CardKind::Jpki, into)?;
        card.reissue_auth_cert(&CaDir::open(&self.ca_dir())?.auth, validity(), shape)?;
        Ok(card)
    }

    /// A fresh copy of the card of `kind` in `into`.
    ///
    /// # Errors
    /// [`StoreError`] when the card cannot be copied.
    pub fn copy_card(&self, kind: CardKind, into: &Path) -> Result<CardDir, StoreError> {
        let template = match kind {
            CardKind::Jpki => &self.jpki,
            CardKind::Other => &self.other,
        };
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        std::fs::create_dir_all(into).map_err(io(into))?;
        for entry in std::fs::read_dir(template).map_err(io(template))? {
            let entry = entry.map_err(io(template))?;
            std::fs::copy(entry.path(), into.join(entry.file_name())).map_err(io(&entry.path()))?;
        }
        Ok(CardDir::new(into))
    }
}
