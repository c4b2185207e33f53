//! The leaflets' own sentences, screen by screen (`docs/leaflet-fidelity.md` says where each
//! comes from): every end-to-end screenshot of a Japanese page named here checks that the page
//! shows each of them, in the leaflet's words. Listed once, here; a screen that loses a sentence
//! fails the scenario that shows it.
//!
//! Where the project deliberately words something otherwise (a date that would be in the past,
//! a PC instead of a phone), the sentence is left out here and the choice is written in that
//! document.

/// The sentences of the screen a screenshot step shows, if the leaflets have that screen: at the
/// terminal its own screen (`terminal:STEP`) first; a step numbered `NAME-N` is screen `NAME`.
pub fn sentences(step: &str, terminal: bool) -> Option<&'static [&'static str]> {
    let unnumbered = step
        .rsplit_once('-')
        .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(step, |(name, _)| name);
    let terminal_name = format!("terminal:{unnumbered}");
    let names = [terminal.then_some(terminal_name.as_str()), Some(unnumbered)];
    let found = names.into_iter().flatten().find_map(|name| {
        SCREENS
            .iter()
            .find(|(screen, _)| *screen == name)
            .map(|(_, sentences)| *sentences)
    });
    found
}

/// (screenshot step, the leaflet's sentences on that screen).
pub const SCREENS: &[(&str, &[&str])] = &[
    // F1 step 1 (健康保険証利用の申込, ステップ1).
    (
        "terms",
        &[
            "ステップ1",
            "登録の内容について確認ください",
            "本サイトでは、マイナポータルのシステムを利用して、ご本人のマイナンバーカードを健康保険証として利用できるようにするための登録をします。",
            "オンライン資格確認に対応した医療機関等で",
            "詳しくはこちら",
            "マイナポータルの利用者登録を行うと、ご自身の情報や行政機関からのお知らせを確認など、様々なサービスの利用ができます。この機会にぜひあわせて、ご登録ください。",
            "マイナポータルの利用者登録を行う",
            "以下のマイナポータル利用規約をご確認のうえ、「同意して次へ進む」を押してください。",
            "マイナポータル利用規約",
            "戻る",
            "同意して次へ進む",
        ],
    ),
    // F1 step 2 (マイナンバーカードを読み取り申し込みます).
    (
        "card",
        &[
            "ステップ2",
            "マイナンバーカードを読み取り申し込みます",
            "ICカードリーダライタをPCに接続して、マイナンバーカードをセット後に「申し込む」を押してください。",
            "その後、画面表示に従って利用者証明用電子証明書用暗証番号を入力してください。",
            "利用者証明用電子証明書用暗証番号とは、マイナンバーカードを市区町村の窓口で受け取った際に利用者様自身が設定した数字4ケタの暗証番号（パスワード）です。3回間違えるとロックされるのでご注意ください。",
            "※ロック解除には市区町村の窓口で手続きが必要になります。",
            "戻る",
            "申し込む",
        ],
    ),
    // F1 done (申し込みを受け付けました).
    (
        "done",
        &[
            "完了",
            "申し込みを受け付けました",
            "マイナンバーカードを健康保険証として利用するための申し込みを受け付けました。",
            "ありがとうございました。",
            "申込状況",
            "正常に受け付けました",
            "健康保険証としての登録状況",
            "システム準備中のため、しばらくお待ちください。",
            "が近づいてきましたら、マイナポータルのトップ画面の「申込状況を確認」ボタンを押下いただき、「登録完了」となっていることをご確認",
            "マイナンバーカードを健康保険証として利用できるのは、オンライン資格確認に対応した医療機関で",
            "終了",
        ],
    ),
    // F2 result (申込状況).
    (
        "status",
        &[
            "申込状況",
            "あなたのマイナンバーカードを健康保険証として利用するための申込状況は、以下のとおりです。",
            "正常に受け付けました",
            "健康保険証としての登録状況",
            "終了",
        ],
    ),
    // F4 done (これでマイナポイントの予約は完了です).
    (
        "reserved",
        &[
            "マイキーID",
            "これでマイナポイントの予約は完了です。",
            "まだ申込は完了していません! 続けて「マイナポイント申込」へ",
            "申込へ",
        ],
    ),
    // The terminal's card step (マイナポイントの予約 手順2–3, 申込 手順7).
    (
        "terminal:card-step",
        &[
            "この位置にマイナンバーカードをセットしてカードを読み取ります。",
            "マイナンバーカードを受け取った際にご自身で設定した「数字4桁のパスワード」",
            "パスワードは3回連続して間違えると不正防止のためロックがかかります。ロックの解除は住民票登録のある市区町村の窓口でパスワードの再設定を行う必要があります。",
        ],
    ),
    // F5 step 1 (マイナポイントをもらう決済サービスを検索).
    ("search", &["決済サービス選択", "キーワード", "検索"]),
    // F5 step 5 (申込情報を入力).
    (
        "input",
        &[
            "申込情報を入力",
            "決済サービスID(必須)",
            "セキュリティコード(必須)",
            "電話番号(下4桁)(任意)",
            "※電話番号欄にご自身の電話番号下4桁を入力いただくことで、マイナポイント申込状況などの問合せでコールセンターに連絡する際、当該の処理内容について確認することが可能です。",
            "確認",
        ],
    ),
    // F5 step 8 and F6 (申込完了後の画面).
    (
        "receipt",
        &[
            "マイナポイント申込完了です",
            "マイナポイントの申込が完了しました。",
            "マイナポイントの申込状況は、マイナンバーカードを用いたログイン、または、マイキーIDとマイナポイントお申込時に登録いただいた電話番号4桁を用いてコールセンターに問い合わせることで確認できます。マイナンバーカードでのログインが難しい環境にある方は、マイキーIDを保管してください。",
            "決済サービス名称",
            "決済サービス区分",
            "利用方法",
            "登録サービス番号",
            "決済サービスID",
            "電話番号(下4桁)",
            "申込日時",
            "申込処理番号",
            "政府からのご案内",
            "マイナポータル利用者登録のかんたん申込",
            "マイナンバーカード健康保険証利用のかんたん申込",
            "以下をクリックいただくだけで、かんたん申込ができます。メリットが沢山ありますので、是非、お申し込みください。",
            "マイナポータルについて、くわしくはこちら",
            "マイナンバーカード健康保険証利用について、くわしくはこちら",
            "マイナポータル利用者登録の申込",
            "マイナンバーカード健康保険証利用の申込",
            "※片方のみ申し込みされる場合、チェックをはずして下さい。",
            "利用規約（共通）",
            "※マイナポータルへの登録後、すぐに利用できます。「マイナポータル」で検索し、アクセスして下さい。",
            "一括利用申込",
            "マイナンバーカードを取り外してください。",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_screen_once_and_no_empty_sentence() {
        let mut names: Vec<&str> = SCREENS.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SCREENS.len());
        assert!(SCREENS
            .iter()
            .all(|(_, sentences)| sentences.iter().all(|s| !s.trim().is_empty())));
        assert!(sentences("terms", false).is_some() && sentences("nothing", false).is_none());
        // Numbered steps are their screen; the terminal's own screen comes first there.
        assert_eq!(sentences("input-2", false), sentences("input", false));
        assert_eq!(sentences("card-step", false), None);
        assert!(sentences("card-step", true).is_some_and(|s| s[0].starts_with("この位置に")));
        assert_eq!(sentences("search", true), sentences("search", false));
    }
}
