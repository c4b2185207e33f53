//! What the server must know of the SPA's pages: the paths each part answers (any other path is
//! a 404, with the part's 「ページが見つかりません」 page), and the versions of the terms the
//! pages show (an application names the version it agreed to; the server stores it and refuses
//! another: `TERMS_CHANGED`). `docs/terms.md` says how a new version is published.

/// The portal's top page (F0).
pub const TOP: &str = "/";
/// F1: the health-insurance use registration.
pub const INSURANCE_APPLY: &str = "/insurance/apply";
/// F2: its status.
pub const INSURANCE_STATUS: &str = "/insurance/status";
/// F7: information, with the installation of the extension and the bridge.
pub const INFO: &str = "/info";
/// The portal's terms.
pub const TERMS: &str = "/terms";
/// MyNa Point's terms.
pub const TERMS_MYNAPOINT: &str = "/terms/mynapoint";

/// やりとり履歴: every receipt of the person, after a card login (issue 14).
pub const HISTORY: &str = "/history";

/// The portal's client-side routes (`app/src/lib.rs`).
pub const PORTAL_ROUTES: &[&str] = &[TOP, HISTORY, INFO, TERMS, TERMS_MYNAPOINT];

/// The health-insurance part (F1, F2 with the link's dispute, the cancellation and the
/// eligibility certificate's request): its entry page is `insurance/index.html`. A part of its
/// own, without a router, so that the portal's first page keeps room (BENCHMARKS.md, "SPA").
pub const INSURANCE_PREFIX: &str = "/insurance";

/// The routes of the health-insurance part (`app/src/insurance.rs`, `InsuranceApp`).
pub const INSURANCE_ROUTES: &[&str] = &[INSURANCE_APPLY, INSURANCE_STATUS];

/// MyNa Point's start and reservation part: its entry page is `mynapoint/index.html`.
pub const MYNAPOINT_PREFIX: &str = "/mynapoint";
/// MyNa Point's start page on a PC.
pub const MYNAPOINT: &str = MYNAPOINT_PREFIX;
/// MyNa Point's start page at the terminal (kiosk mode for the tab).
pub const MYNAPOINT_KIOSK: &str = "/mynapoint/kiosk";
/// F4: the reservation.
pub const MYNAPOINT_RESERVE: &str = "/mynapoint/reserve";

/// The routes of MyNa Point's start and reservation part (`app/src/mynapoint/mod.rs`, `App`).
pub const MYNAPOINT_ROUTES: &[&str] = &[MYNAPOINT, MYNAPOINT_KIOSK, MYNAPOINT_RESERVE];

/// MyNa Point's application part (F5 and F6): its entry page is `mynapoint/apply/index.html`.
/// A part of its own so that each MyNa Point first page stays under its size budget
/// (BENCHMARKS.md, "SPA").
pub const MYNAPOINT_APPLY_PREFIX: &str = "/mynapoint/apply";
/// F5: the application.
pub const MYNAPOINT_APPLY: &str = MYNAPOINT_APPLY_PREFIX;

/// The routes of MyNa Point's application part (`app/src/mynapoint/mod.rs`, `ApplyApp`).
pub const MYNAPOINT_APPLY_ROUTES: &[&str] = &[MYNAPOINT_APPLY];

/// MyNa Point's receipt part (F5's 申込完了 and F6): its entry page is
/// `mynapoint/receipt/index.html`. The signed application loads it; it reads the receipt from
/// the server, so a reload shows it again. A part of its own for the application part's size
/// budget (BENCHMARKS.md, "SPA").
pub const MYNAPOINT_RECEIPT_PREFIX: &str = "/mynapoint/receipt";
/// F5's receipt and F6.
pub const MYNAPOINT_RECEIPT: &str = MYNAPOINT_RECEIPT_PREFIX;

/// The routes of MyNa Point's receipt part (`app/src/mynapoint/receipt.rs`, `ReceiptApp`).
pub const MYNAPOINT_RECEIPT_ROUTES: &[&str] = &[MYNAPOINT_RECEIPT];

/// The self-diagnosis, a part of its own: its entry page is `diagnosis/index.html`. Its
/// eight checks' views would take 16 KB of the portal's first page (BENCHMARKS.md, "SPA").
pub const DIAGNOSIS_PREFIX: &str = "/diagnosis";
/// The self-diagnosis.
pub const DIAGNOSIS: &str = DIAGNOSIS_PREFIX;

/// The routes of the self-diagnosis part (`app/src/diagnosis/mod.rs`, `DiagnosisApp`).
pub const DIAGNOSIS_ROUTES: &[&str] = &[DIAGNOSIS];

/// The routes of the part whose entry page is answered under `prefix` (`""` for the portal,
/// [`MYNAPOINT_PREFIX`], [`MYNAPOINT_APPLY_PREFIX`], [`MYNAPOINT_RECEIPT_PREFIX`],
/// [`DIAGNOSIS_PREFIX`], [`INSURANCE_PREFIX`]); none for an unknown part.
pub fn routes(prefix: &str) -> &'static [&'static str] {
    match prefix {
        "" => PORTAL_ROUTES,
        INSURANCE_PREFIX => INSURANCE_ROUTES,
        MYNAPOINT_PREFIX => MYNAPOINT_ROUTES,
        MYNAPOINT_APPLY_PREFIX => MYNAPOINT_APPLY_ROUTES,
        MYNAPOINT_RECEIPT_PREFIX => MYNAPOINT_RECEIPT_ROUTES,
        DIAGNOSIS_PREFIX => DIAGNOSIS_ROUTES,
        _ => &[],
    }
}

/// The prefix of the part that answers the route `path` (its query and fragment ignored); `None`
/// when `path` is no route. A page moves to another part with a full page load.
pub fn part_of(path: &str) -> Option<&'static str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    [
        MYNAPOINT_APPLY_PREFIX,
        MYNAPOINT_RECEIPT_PREFIX,
        MYNAPOINT_PREFIX,
        DIAGNOSIS_PREFIX,
        INSURANCE_PREFIX,
        "",
    ]
    .into_iter()
    .find(|prefix| routes(prefix).contains(&path))
}

/// The version of マイナポータル利用規約 the pages show (`app/public/content/{ja,en}/terms-portal-VERSION.html`).
pub const PORTAL_TERMS_VERSION: &str = "2021-03";

/// The version of the MyNa Point terms (決済事業者利用規約(要約) and the MyNa Point special
/// terms it summarises) the pages show (`app/public/content/{ja,en}/terms-mynapoint-VERSION.html`).
pub const MYNAPOINT_TERMS_VERSION: &str = "2020-07";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_absolute_and_distinct() {
        let mut all: Vec<&str> = PORTAL_ROUTES
            .iter()
            .chain(MYNAPOINT_ROUTES)
            .chain(MYNAPOINT_APPLY_ROUTES)
            .chain(MYNAPOINT_RECEIPT_ROUTES)
            .chain(DIAGNOSIS_ROUTES)
            .chain(INSURANCE_ROUTES)
            .copied()
            .collect();
        assert!(all
            .iter()
            .all(|r| r.starts_with('/') && (r.len() == 1 || !r.ends_with('/'))));
        all.sort_unstable();
        all.dedup();
        assert_eq!(
            all.len(),
            PORTAL_ROUTES.len()
                + MYNAPOINT_ROUTES.len()
                + MYNAPOINT_APPLY_ROUTES.len()
                + MYNAPOINT_RECEIPT_ROUTES.len()
                + DIAGNOSIS_ROUTES.len()
                + INSURANCE_ROUTES.len()
        );
        assert!(!PORTAL_ROUTES
            .iter()
            .any(|r| r.starts_with(MYNAPOINT_PREFIX)));
    }

    #[test]
    fn each_route_has_one_part() {
        assert_eq!(part_of("/"), Some(""));
        assert_eq!(part_of("/terms/mynapoint"), Some(""));
        assert_eq!(part_of("/mynapoint/kiosk"), Some(MYNAPOINT_PREFIX));
        assert_eq!(
            part_of("/mynapoint/apply?continue=1"),
            Some(MYNAPOINT_APPLY_PREFIX)
        );
        assert_eq!(
            part_of("/mynapoint/receipt"),
            Some(MYNAPOINT_RECEIPT_PREFIX)
        );
        assert_eq!(part_of("/diagnosis"), Some(DIAGNOSIS_PREFIX));
        assert_eq!(part_of("/insurance/status"), Some(INSURANCE_PREFIX));
        assert_eq!(part_of("/history"), Some(""));
        assert_eq!(part_of("/mynapoint/nope"), None);
    }

    #[test]
    fn each_part_has_its_routes() {
        assert!(routes("").contains(&"/terms"));
        assert!(routes(MYNAPOINT_PREFIX)
            .iter()
            .all(|r| r.starts_with(MYNAPOINT_PREFIX)));
        assert!(routes(INSURANCE_PREFIX)
            .iter()
            .all(|r| r.starts_with(INSURANCE_PREFIX)));
        assert!(routes("/other").is_empty());
    }
}
