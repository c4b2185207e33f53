//! `virtual-card`: make a test CA and test cards, and serve a card to the real pcscd through vpcd.

use std::{io::BufRead, net::SocketAddr, path::PathBuf};

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use virtual_card::{
    link::CardModel,
    pki::{CaOptions, CardCertOptions, IssuerShape, Period, SerialShape},
    store::{CaDir, NewCard},
    vpcd::{Behaviour, VpcdCard},
    CardDir, CardKind,
};

/// A software My Number Card for development and tests. TEST ONLY: its keys are not secret.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    /// A My Number Card.
    Jpki,
    /// A card without the JPKI application.
    Other,
}

/// The realism model of `serve` (docs/virtual-card.md).
#[derive(Clone, Copy, ValueEnum)]
enum Model {
    /// As fast as the software runs.
    Instant,
    /// Contact T=1 at the default rate (9,600 bit/s).
    Contact,
    /// Contact T=0 at the default rate: short APDUs only, `61 xx` / `6C xx` answers.
    ContactT0,
    /// Contactless at 424 kbit/s.
    Contactless,
}

#[derive(Clone, Copy, ValueEnum)]
enum Issuer {
    /// PrintableString, as J-LIS writes its names.
    Printable,
    /// The same name in UTF8String.
    Utf8,
    /// A Japanese organizational unit (UTF8String).
    Japanese,
}

fn parse_serial_shape(text: &str) -> Result<SerialShape, String> {
    Ok(match text {
        "random" => SerialShape::Random,
        "high-bit" => SerialShape::HighBit,
        "low-bit" => SerialShape::LowBit,
        "one-byte" => SerialShape::OneByte,
        "twenty" => SerialShape::Twenty,
        "twenty-high-bit" => SerialShape::TwentyHighBit,
        hex_text => {
            let digits = hex_text.trim_start_matches("0x").replace(':', "");
            let bytes = hex::decode(&digits)
                .map_err(|_| format!("a shape name or the serial in hex, not {text:?}"))?;
            let magnitude: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
            if magnitude.is_empty() || magnitude.len() > 20 {
                return Err(format!("a serial is 1 to 20 octets, not {text:?}"));
            }
            SerialShape::Exact(magnitude)
        }
    })
}

#[derive(Subcommand)]
enum Command {
    /// Create a test JPKI CA (user authentication and signing, `O=JPKI-TEST`).
    Ca {
        /// Directory to write the CA to.
        #[arg(long)]
        out: PathBuf,
        /// How the CA's name is written: `printable` (as J-LIS writes it), `utf8`, or
        /// `japanese` (a Japanese organizational unit, UTF8String).
        #[arg(long, value_enum, default_value = "printable")]
        issuer: Issuer,
        /// The CA key's size in bits: 2048, 3072 or 4096.
        #[arg(long, default_value_t = 2048)]
        bits: usize,
    },
    /// Issue a new test card under a test CA (the CA is created when the directory has none).
    New {
        /// Directory to write the card to.
        #[arg(long)]
        out: PathBuf,
        /// The test CA directory [default: `ca` beside OUT].
        #[arg(long)]
        ca: Option<PathBuf>,
        /// The user-authentication PIN (4 digits).
        #[arg(long, default_value = "1234")]
        pin: String,
        /// The signing password (6-16 of A-Z, 0-9).
        #[arg(long, default_value = "ABC123")]
        sign_password: String,
        /// A My Number Card or some other card.
        #[arg(long, value_enum, default_value = "jpki")]
        kind: Kind,
        /// Days the certificates stay valid.
        #[arg(long, default_value_t = 5 * 365)]
        valid_days: u64,
        /// Start of validity in days from now (negative: in the past).
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        starts_in_days: i64,
        /// The user-authentication certificate's serial: `random` (as a real CA: about half
        /// have the high bit set), `high-bit`, `low-bit`, `one-byte`, `twenty`,
        /// `twenty-high-bit`, or the serial itself in hex (e.g. `80A1B2C3D4E5F601`).
        #[arg(long, default_value = "random", value_parser = parse_serial_shape)]
        serial: SerialShape,
    },
    /// Write a CRL of the test CA's user-authentication hierarchy revoking the given cards.
    Crl {
        /// The test CA directory.
        #[arg(long)]
        ca: PathBuf,
        /// Card directories whose authentication certificate is revoked (repeatable).
        #[arg(long = "revoke")]
        revoke: Vec<PathBuf>,
        /// Where to write the CRL (DER).
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve a card to pcscd through the vsmartcard virtual reader (vpcd).
    ///
    /// While it runs, type `remove`, `insert`, `hang`, `garbage` or `normal` and Enter to change
    /// the card; `quit` stops it.
    Serve {
        /// The card directory.
        #[arg(long)]
        card: PathBuf,
        /// Where vpcd listens.
        #[arg(long, default_value = "127.0.0.1:35963")]
        vpcd: SocketAddr,
        /// How long the card and its reader take, and the link's shape: `instant`, `contact`
        /// (T=1 at 9,600 bit/s), `contact-t0` (T=0: short APDUs, GET RESPONSE) or `contactless`
        /// (424 kbit/s).
        #[arg(long, value_enum, default_value = "instant")]
        model: Model,
        /// The card's RSA-2048 signature time in milliseconds, for every model but `instant`
        /// (real cards: about 500–1000).
        #[arg(long, default_value_t = 700)]
        signature_ms: u64,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIRTUAL_CARD_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Ca { out, issuer, bits } => {
            anyhow::ensure!(
                matches!(bits, 2048 | 3072 | 4096),
                "--bits must be 2048, 3072 or 4096, not {bits}"
            );
            let options = CaOptions {
                bits,
                issuer: match issuer {
                    Issuer::Printable => IssuerShape::Printable,
                    Issuer::Utf8 => IssuerShape::Utf8,
                    Issuer::Japanese => IssuerShape::Japanese,
                },
                ..CaOptions::new(Period::from_now(10 * 365))
            };
            CaDir::create_shaped(&out, &options)
                .with_context(|| format!("creating the CA in {}", out.display()))?;
            println!("test CA written to {}", out.display());
        }
        Command::New {
            out,
            ca,
            pin,
            sign_password,
            kind,
            valid_days,
            starts_in_days,
            serial,
        } => {
            // OUT's parent by name, not `OUT/..`: that is looked up through OUT, which does
            // not exist yet, so the CA beside it was never found and was made anew over it.
            let ca_dir = ca.unwrap_or_else(|| {
                out.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or_else(|| std::path::Path::new("."))
                    .join("ca")
            });
            let ca = CaDir::open_or_create(&ca_dir)
                .with_context(|| format!("opening the CA in {}", ca_dir.display()))?;
            let mut period = Period::from_now(valid_days);
            let shift = starts_in_days.unsigned_abs() * 86_400;
            if starts_in_days >= 0 {
                period.not_before += shift;
                period.not_after += shift;
            } else {
                period.not_before = period.not_before.saturating_sub(shift);
                period.not_after = period.not_after.saturating_sub(shift);
            }
            let new = NewCard {
                pin: &pin,
                sign_password: &sign_password,
                kind: match kind {
                    Kind::Jpki => CardKind::Jpki,
                    Kind::Other => CardKind::Other,
                },
                certs: CardCertOptions {
                    period,
                    auth_serial: serial,
                    ..CardCertOptions::default()
                },
            };
            CardDir::create(&out, &ca, &new)
                .with_context(|| format!("creating the card in {}", out.display()))?;
            println!(
                "test card written to {} (CA: {})",
                out.display(),
                ca_dir.display()
            );
        }
        Command::Crl { ca, revoke, out } => {
            let ca =
                CaDir::open(&ca).with_context(|| format!("opening the CA in {}", ca.display()))?;
            let certs = revoke
                .iter()
                .map(|dir| CardDir::new(dir).auth_cert())
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
            let crl = virtual_card::pki::make_crl(&ca.auth, &refs, Period::from_now(30))?;
            std::fs::write(&out, crl).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "CRL revoking {} certificate(s) written to {}",
                refs.len(),
                out.display()
            );
        }
        Command::Serve {
            card,
            vpcd,
            model,
            signature_ms,
        } => {
            let card = VpcdCard::start(CardDir::new(card), vpcd).context("starting the card")?;
            let model = match model {
                Model::Instant => CardModel::INSTANT,
                Model::Contact => CardModel::contact_t1(),
                Model::ContactT0 => CardModel::contact_t0(),
                Model::Contactless => CardModel::contactless(),
            };
            card.set_model(model.with_signature(std::time::Duration::from_millis(signature_ms)));
            println!("card connected to vpcd at {vpcd}; commands: remove, insert, hang, garbage, normal, quit");
            let mut quit = false;
            for line in std::io::stdin().lock().lines() {
                match line?.trim() {
                    "remove" => card.remove(),
                    "insert" => card.insert(),
                    "hang" => card.set_behaviour(Behaviour::Hang),
                    "garbage" => card.set_behaviour(Behaviour::Garbage),
                    "normal" => card.set_behaviour(Behaviour::Normal),
                    "quit" => {
                        quit = true;
                        break;
                    }
                    "" => {}
                    other => eprintln!("unknown command {other:?}"),
                }
            }
            // Standard input closed without `quit` (started in the background): serve until killed.
            if !quit {
                loop {
                    std::thread::park();
                }
            }
        }
    }
    Ok(())
}
