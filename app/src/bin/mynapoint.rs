//! The MyNa Point part's entry point (`mynapoint/index.html`): mounts it on `<body>`.

fn main() {
    app::mynapoint::mount();
}
