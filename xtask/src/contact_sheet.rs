//! The contact sheet of an end-to-end run: one PNG per browser with every screenshot of every
//! scenario, small, a row per scenario in step order (the PC screen, then the same screen on a
//! phone or on the terminal's two screens), so that a person sees every screen in one look.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use image::{imageops, Rgba, RgbaImage};

/// The height of each thumbnail, in pixels.
const THUMB_HEIGHT: u32 = 180;
/// The widest a sheet grows before a scenario's row wraps.
const MAX_WIDTH: u32 = 3600;
/// The gap between thumbnails and around rows.
const GAP: u32 = 8;

/// Makes `contact-sheet-<browser>.png` in `shots` (`<target>/e2e-screenshots`) for each browser
/// folder there; returns the sheets written.
///
/// # Errors
/// A folder that cannot be read, a screenshot that is not a PNG, a sheet that cannot be written.
pub fn make(shots: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut sheets = Vec::new();
    for browser in sorted_dirs(shots)? {
        let mut rows: Vec<Vec<RgbaImage>> = Vec::new();
        for scenario in sorted_dirs(&browser)? {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&scenario)
                .with_context(|| format!("reading {}", scenario.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
                .collect();
            files.sort();
            let mut row = Vec::new();
            for file in files {
                let shot = image::open(&file)
                    .with_context(|| format!("reading {}", file.display()))?
                    .to_rgba8();
                let width = (u64::from(shot.width()) * u64::from(THUMB_HEIGHT)
                    / u64::from(shot.height().max(1))) as u32;
                row.push(imageops::resize(
                    &shot,
                    width.max(1),
                    THUMB_HEIGHT,
                    imageops::FilterType::Triangle,
                ));
            }
            if !row.is_empty() {
                rows.push(row);
            }
        }
        if rows.is_empty() {
            continue;
        }
        // Lay the rows out, wrapping a long row; a blank line between scenarios.
        let mut placed: Vec<(u32, u32, &RgbaImage)> = Vec::new();
        let (mut y, mut width) = (GAP, 0);
        for row in &rows {
            let mut x = GAP;
            for thumb in row {
                if x > GAP && x + thumb.width() + GAP > MAX_WIDTH {
                    x = GAP;
                    y += THUMB_HEIGHT + GAP;
                }
                placed.push((x, y, thumb));
                x += thumb.width() + GAP;
                width = width.max(x);
            }
            y += THUMB_HEIGHT + 3 * GAP;
        }
        let mut sheet = RgbaImage::from_pixel(width, y, Rgba([255, 255, 255, 255]));
        for (x, y, thumb) in placed {
            imageops::overlay(&mut sheet, thumb, i64::from(x), i64::from(y));
        }
        let name = browser
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("browser");
        let path = shots.join(format!("contact-sheet-{name}.png"));
        sheet
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        sheets.push(path);
    }
    Ok(sheets)
}

fn sorted_dirs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}
