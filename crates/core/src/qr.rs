//! A QR code to hand an entry on without a server: the phone draws it, a resident's phone
//! camera reads the text as is. Encoded by `qrcodegen` (Project Nayuki's encoder: 4 KB of
//! the first visit, where the `qrcode` crate cost 11 KB), drawn as one SVG path.

/// The modules a quiet zone leaves around the code (the standard asks for four).
pub const QUIET_ZONE: usize = 4;

/// A QR code ready to draw: its width in modules with the quiet zone (the SVG's view box is
/// `0 0 width width`) and one path of its dark modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrDrawing {
    pub width: usize,
    pub path: String,
}

/// `text` as a QR code (medium error correction: a scratched screen still reads), or `None`
/// if it is too long for one.
pub fn qr_drawing(text: &str) -> Option<QrDrawing> {
    let code = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !code.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && code.get_module(x, y) {
                x += 1;
            }
            let run = x - start;
            let (left, top) = (start as usize + QUIET_ZONE, y as usize + QUIET_ZONE);
            path.push_str(&format!("M{left} {top}h{run}v1h-{run}z"));
        }
    }
    Some(QrDrawing {
        width: size as usize + 2 * QUIET_ZONE,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paints a drawing's path back into modules (only the `M x y h n v1 h-n z` runs it writes).
    fn modules(drawing: &QrDrawing) -> Vec<Vec<bool>> {
        let mut grid = vec![vec![false; drawing.width]; drawing.width];
        for run in drawing.path.split('M').filter(|r| !r.is_empty()) {
            let numbers: Vec<usize> = run
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let (x, y, len) = (numbers[0], numbers[1], numbers[2]);
            for cell in &mut grid[y][x..x + len] {
                *cell = true;
            }
        }
        grid
    }

    #[test]
    fn a_camera_reads_back_the_japanese_text_as_is() {
        let text = "おとしよりぐるりんタクシー\nとき：平日 9時〜17時\n電話：027-321-1319";
        let drawing = qr_drawing(text).unwrap();
        let grid = modules(&drawing);
        // The quiet zone is light all round.
        assert!(grid[..QUIET_ZONE].iter().all(|row| row.iter().all(|m| !m)));
        assert!(grid.iter().all(|row| row[..QUIET_ZONE].iter().all(|m| !m)));
        // Read as a camera would: four pixels a module, dark on light.
        let scale = 4;
        let side = drawing.width * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            if grid[y / scale][x / scale] {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, read) = grids[0].decode().unwrap();
        assert_eq!(read, text);
    }

    #[test]
    fn a_text_too_long_for_one_code_is_refused() {
        assert!(qr_drawing(&"あ".repeat(2000)).is_none());
    }
}
