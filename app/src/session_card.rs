//! The card of the tab's card session (issue 14): the reader and card-event count of the last
//! login's `authenticate` answer, kept in the tab's sessionStorage (nothing personal: a reader's
//! name and a number) so that every part of the tab can watch it
//! (`components::card_watch::CardWatch`). A logout forgets it.

/// The card of the last login: `"<events> <reader>"`.
const KEY: &str = "myna-card";
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Remembers the card of a login (the `authenticate` answer's reader and card-event count);
/// an answer without a count (an older bridge) is not watched.
pub fn remember(token: &protocol::bridge::AuthenticateResult) {
    let Some(storage) = storage() else {
        return;
    };
    let _ = match token.events {
        Some(events) => storage.set_item(KEY, &format!("{events} {}", token.reader)),
        // An earlier login's card is not this session's.
        None => storage.remove_item(KEY),
    };
}

/// Forgets the card (the session ended).
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

/// The watched card: its reader and card-event count.
pub fn watched() -> Option<(String, u32)> {
    let value = storage()?.get_item(KEY).ok().flatten()?;
    let (events, reader) = value.split_once(' ')?;
    Some((reader.to_owned(), events.parse().ok()?))
}
