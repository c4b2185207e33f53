//! MyNa Point's receipt part's entry point (`mynapoint/receipt/index.html`): mounts it on
//! `<body>`.

fn main() {
    app::mynapoint::mount_receipt();
}
