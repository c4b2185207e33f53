//! MyNa Point's application part's entry point (`mynapoint/apply/index.html`): mounts it on
//! `<body>`.

fn main() {
    app::mynapoint::mount_apply();
}
