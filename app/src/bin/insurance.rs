//! The health-insurance part's entry point (`insurance/index.html`): mounts it on `<body>`.

fn main() {
    app::insurance::mount();
}
