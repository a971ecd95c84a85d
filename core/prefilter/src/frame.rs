//! Camera frame descriptors, validation and per-pixel sampling in upright (display) coordinates.
//!
//! Nothing here copies a frame: a [`FrameView`] borrows the caller's planes, and the sampling
//! functions read one source pixel at a time with the sensor rotation and the un-mirroring of a
//! mirror-image buffer folded into the coordinate mapping.

use crate::error::FrameError;

/// Largest accepted width or height, in pixels.
pub const MAX_DIMENSION: u32 = 8192;

/// Pixel layouts that cameras deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PixelFormat {
    /// Android NV21: Y plane, then interleaved V/U at half resolution. One plane (Y rows then VU rows,
    /// both with the same row stride) or two planes (Y, VU).
    Nv21,
    /// NV12 (iOS `420YpCbCr8BiPlanar`): Y plane, then interleaved U/V. One or two planes like NV21.
    Nv12,
    /// Android `YUV_420_888` (CameraX `ImageProxy`): three planes Y, U, V with their own row strides;
    /// Y pixel stride 1, U/V pixel stride 1 (planar) or 2 (semi-planar).
    Yuv420,
    /// 8-bit B, G, R, A (iOS `32BGRA`). One plane, pixel stride 4.
    Bgra,
    /// 8-bit R, G, B, A. One plane, pixel stride 4.
    Rgba,
}

/// Clockwise rotation that turns the sensor image upright (Android `rotationDegrees`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Rotation {
    #[default]
    Deg0,
    Deg90,
    Deg180,
    Deg270,
}

impl Rotation {
    /// From degrees (0, 90, 180, 270).
    pub fn from_degrees(degrees: u32) -> Result<Self, FrameError> {
        match degrees {
            0 => Ok(Self::Deg0),
            90 => Ok(Self::Deg90),
            180 => Ok(Self::Deg180),
            270 => Ok(Self::Deg270),
            other => Err(FrameError::BadRotation(other)),
        }
    }

    /// The rotation in degrees.
    pub fn degrees(self) -> u32 {
        match self {
            Self::Deg0 => 0,
            Self::Deg90 => 90,
            Self::Deg180 => 180,
            Self::Deg270 => 270,
        }
    }
}

/// One plane of a frame, borrowed from the caller.
#[derive(Clone, Copy)]
pub struct Plane<'a> {
    pub data: &'a [u8],
    /// Bytes from one row to the next.
    pub row_stride: u32,
    /// Bytes from one pixel to the next in a row.
    pub pixel_stride: u32,
}

impl std::fmt::Debug for Plane<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plane")
            .field("len", &self.data.len())
            .field("row_stride", &self.row_stride)
            .field("pixel_stride", &self.pixel_stride)
            .finish()
    }
}

/// An owned plane (what the bindings hand over).
#[derive(Clone, PartialEq, Eq)]
pub struct FramePlane {
    pub data: Vec<u8>,
    pub row_stride: u32,
    pub pixel_stride: u32,
}

impl std::fmt::Debug for FramePlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FramePlane")
            .field("len", &self.data.len())
            .field("row_stride", &self.row_stride)
            .field("pixel_stride", &self.pixel_stride)
            .finish()
    }
}

/// An owned camera frame (the record the Kotlin/Swift bindings pass in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    pub rotation: Rotation,
    /// The BUFFER is a mirror image of the scene (once rotated upright): the prefilter flips it
    /// back, so everything it measures and the captured JPEG are the true, unmirrored scene.
    /// False for CameraX `ImageAnalysis` and AVFoundation `AVCaptureVideoDataOutput` frames,
    /// which arrive unmirrored even from the front camera (only their previews mirror
    /// themselves); true only for a source that mirrors its buffers (a webcam driver that
    /// flips its image). Whether the user
    /// sees a mirrored preview is a different question: `PrefilterConfig::preview_mirrored`.
    pub mirrored: bool,
    /// Capture time in milliseconds (any monotonic origin); drives challenge timeouts.
    pub timestamp_ms: u64,
    pub planes: Vec<FramePlane>,
}

impl Frame {
    /// Borrows this frame as a validated [`FrameView`].
    pub fn view(&self) -> Result<FrameView<'_>, FrameError> {
        let mut planes = [EMPTY_PLANE; 3];
        if self.planes.len() > 3 {
            return Err(FrameError::PlaneCount {
                format: self.format,
                expected: expected_planes(self.format),
                got: self.planes.len(),
            });
        }
        for (slot, plane) in planes.iter_mut().zip(&self.planes) {
            *slot = Plane {
                data: &plane.data,
                row_stride: plane.row_stride,
                pixel_stride: plane.pixel_stride,
            };
        }
        FrameView::new(
            self.format,
            self.width,
            self.height,
            self.rotation,
            self.mirrored,
            self.timestamp_ms,
            &planes[..self.planes.len()],
        )
    }
}

const EMPTY_PLANE: Plane<'static> = Plane {
    data: &[],
    row_stride: 0,
    pixel_stride: 0,
};

fn expected_planes(format: PixelFormat) -> &'static str {
    match format {
        PixelFormat::Nv21 | PixelFormat::Nv12 => "1 or 2",
        PixelFormat::Yuv420 => "3",
        PixelFormat::Bgra | PixelFormat::Rgba => "1",
    }
}

/// Resolved plane layout: byte offsets into the plane buffers.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// Y plane index 0; chroma plane `c` (0 or 1) starting at `c_off`, interleaved, `u_first`.
    SemiPlanar {
        c_plane: usize,
        c_off: usize,
        c_stride: usize,
        u_first: bool,
    },
    /// Y, U, V planes.
    Planar {
        u_stride: usize,
        u_pix: usize,
        v_stride: usize,
        v_pix: usize,
    },
    /// Packed 4-byte pixels, with the byte offsets of R, G, B.
    Packed { r: usize, g: usize, b: usize },
}

/// A validated, borrowed frame. Every sampling function is in bounds by construction.
#[derive(Debug, Clone, Copy)]
pub struct FrameView<'a> {
    format: PixelFormat,
    width: usize,
    height: usize,
    rotation: Rotation,
    mirrored: bool,
    timestamp_ms: u64,
    planes: [Plane<'a>; 3],
    y_stride: usize,
    layout: Layout,
}

fn check_len(plane: usize, data: &[u8], needed: u64) -> Result<(), FrameError> {
    if (data.len() as u64) < needed {
        return Err(FrameError::BufferTooSmall {
            plane,
            got: data.len(),
            needed,
        });
    }
    Ok(())
}

/// Bytes needed for `rows` rows of `cols` items `item` bytes wide, `pix` apart, `stride` apart.
fn needed(rows: u64, cols: u64, pix: u64, item: u64, stride: u64) -> u64 {
    (rows - 1) * stride + (cols - 1) * pix + item
}

fn check_stride(
    plane: usize,
    p: &Plane<'_>,
    cols: u64,
    pix: u64,
    item: u64,
) -> Result<(), FrameError> {
    let min = (cols - 1) * pix + item;
    if u64::from(p.row_stride) < min {
        return Err(FrameError::BadRowStride {
            plane,
            row_stride: p.row_stride,
            min,
        });
    }
    Ok(())
}

impl<'a> FrameView<'a> {
    /// Validates a descriptor against its planes. See [`PixelFormat`] for the plane conventions.
    pub fn new(
        format: PixelFormat,
        width: u32,
        height: u32,
        rotation: Rotation,
        mirrored: bool,
        timestamp_ms: u64,
        planes: &[Plane<'a>],
    ) -> Result<Self, FrameError> {
        if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
            return Err(FrameError::BadDimensions {
                width,
                height,
                max: MAX_DIMENSION,
            });
        }
        let (w, h) = (u64::from(width), u64::from(height));
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let plane_count_ok = match format {
            PixelFormat::Nv21 | PixelFormat::Nv12 => planes.len() == 1 || planes.len() == 2,
            PixelFormat::Yuv420 => planes.len() == 3,
            PixelFormat::Bgra | PixelFormat::Rgba => planes.len() == 1,
        };
        if !plane_count_ok {
            return Err(FrameError::PlaneCount {
                format,
                expected: expected_planes(format),
                got: planes.len(),
            });
        }
        let bad_pix = |plane: usize, p: &Plane<'_>| FrameError::BadPixelStride {
            format,
            plane,
            pixel_stride: p.pixel_stride,
        };
        let mut stored = [EMPTY_PLANE; 3];
        stored[..planes.len()].copy_from_slice(planes);
        let p0 = planes[0];
        let layout = match format {
            PixelFormat::Nv21 | PixelFormat::Nv12 => {
                if p0.pixel_stride != 1 {
                    return Err(bad_pix(0, &p0));
                }
                check_stride(0, &p0, w, 1, 1)?;
                let stride = u64::from(p0.row_stride);
                let u_first = format == PixelFormat::Nv12;
                if planes.len() == 1 {
                    // Y rows then chroma rows, same stride.
                    let c_off = h * stride;
                    check_len(0, p0.data, c_off + needed(ch, cw, 2, 2, stride))?;
                    Layout::SemiPlanar {
                        c_plane: 0,
                        c_off: c_off as usize,
                        c_stride: stride as usize,
                        u_first,
                    }
                } else {
                    check_len(0, p0.data, needed(h, w, 1, 1, stride))?;
                    let p1 = planes[1];
                    if p1.pixel_stride != 2 {
                        return Err(bad_pix(1, &p1));
                    }
                    check_stride(1, &p1, cw, 2, 2)?;
                    check_len(1, p1.data, needed(ch, cw, 2, 2, u64::from(p1.row_stride)))?;
                    Layout::SemiPlanar {
                        c_plane: 1,
                        c_off: 0,
                        c_stride: p1.row_stride as usize,
                        u_first,
                    }
                }
            }
            PixelFormat::Yuv420 => {
                if p0.pixel_stride != 1 {
                    return Err(bad_pix(0, &p0));
                }
                check_stride(0, &p0, w, 1, 1)?;
                check_len(0, p0.data, needed(h, w, 1, 1, u64::from(p0.row_stride)))?;
                for (i, p) in planes.iter().enumerate().skip(1) {
                    if p.pixel_stride != 1 && p.pixel_stride != 2 {
                        return Err(bad_pix(i, p));
                    }
                    let pix = u64::from(p.pixel_stride);
                    check_stride(i, p, cw, pix, 1)?;
                    check_len(i, p.data, needed(ch, cw, pix, 1, u64::from(p.row_stride)))?;
                }
                Layout::Planar {
                    u_stride: planes[1].row_stride as usize,
                    u_pix: planes[1].pixel_stride as usize,
                    v_stride: planes[2].row_stride as usize,
                    v_pix: planes[2].pixel_stride as usize,
                }
            }
            PixelFormat::Bgra | PixelFormat::Rgba => {
                if p0.pixel_stride != 4 {
                    return Err(bad_pix(0, &p0));
                }
                check_stride(0, &p0, w, 4, 4)?;
                check_len(0, p0.data, needed(h, w, 4, 4, u64::from(p0.row_stride)))?;
                if format == PixelFormat::Bgra {
                    Layout::Packed { r: 2, g: 1, b: 0 }
                } else {
                    Layout::Packed { r: 0, g: 1, b: 2 }
                }
            }
        };
        Ok(Self {
            format,
            width: width as usize,
            height: height as usize,
            rotation,
            mirrored,
            timestamp_ms,
            planes: stored,
            y_stride: p0.row_stride as usize,
            layout,
        })
    }

    pub fn format(&self) -> PixelFormat {
        self.format
    }
    pub fn rotation(&self) -> Rotation {
        self.rotation
    }
    pub fn mirrored(&self) -> bool {
        self.mirrored
    }
    pub fn timestamp_ms(&self) -> u64 {
        self.timestamp_ms
    }
    /// Source (sensor) width and height.
    pub fn source_size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// Width and height of the upright (rotated) image.
    pub fn upright_size(&self) -> (usize, usize) {
        match self.rotation {
            Rotation::Deg0 | Rotation::Deg180 => (self.width, self.height),
            Rotation::Deg90 | Rotation::Deg270 => (self.height, self.width),
        }
    }

    /// Maps upright coordinates (`u` right, `v` down; must be in range) to source coordinates.
    /// The upright image is the source rotated clockwise by `rotation`, then flipped left-right
    /// when the buffer is a mirror image: it is always the true, unmirrored scene.
    #[inline]
    pub fn source_coord(&self, u: usize, v: usize) -> (usize, usize) {
        let (uw, _) = self.upright_size();
        let u = if self.mirrored { uw - 1 - u } else { u };
        match self.rotation {
            Rotation::Deg0 => (u, v),
            Rotation::Deg90 => (v, self.height - 1 - u),
            Rotation::Deg180 => (self.width - 1 - u, self.height - 1 - v),
            Rotation::Deg270 => (self.width - 1 - v, u),
        }
    }

    /// Luma (BT.601 full range) of a source pixel.
    #[inline]
    pub fn luma_at_source(&self, x: usize, y: usize) -> u8 {
        match self.layout {
            Layout::Packed { r, g, b } => {
                let i = y * self.y_stride + x * 4;
                let d = self.planes[0].data;
                rgb_to_luma(byte(d, i + r), byte(d, i + g), byte(d, i + b))
            }
            _ => byte(self.planes[0].data, y * self.y_stride + x),
        }
    }

    /// RGB of a source pixel (YUV formats: BT.601 full range, integer arithmetic).
    #[inline]
    pub fn rgb_at_source(&self, x: usize, y: usize) -> [u8; 3] {
        match self.layout {
            Layout::Packed { r, g, b } => {
                let i = y * self.y_stride + x * 4;
                let d = self.planes[0].data;
                [byte(d, i + r), byte(d, i + g), byte(d, i + b)]
            }
            Layout::SemiPlanar {
                c_plane,
                c_off,
                c_stride,
                u_first,
            } => {
                let yv = byte(self.planes[0].data, y * self.y_stride + x);
                let ci = c_off + (y / 2) * c_stride + (x / 2) * 2;
                let c = self.planes[c_plane].data;
                let (u, v) = if u_first {
                    (byte(c, ci), byte(c, ci + 1))
                } else {
                    (byte(c, ci + 1), byte(c, ci))
                };
                yuv_to_rgb(yv, u, v)
            }
            Layout::Planar {
                u_stride,
                u_pix,
                v_stride,
                v_pix,
            } => {
                let yv = byte(self.planes[0].data, y * self.y_stride + x);
                let u = byte(self.planes[1].data, (y / 2) * u_stride + (x / 2) * u_pix);
                let v = byte(self.planes[2].data, (y / 2) * v_stride + (x / 2) * v_pix);
                yuv_to_rgb(yv, u, v)
            }
        }
    }

    /// Luma at upright coordinates.
    #[inline]
    pub fn luma(&self, u: usize, v: usize) -> u8 {
        let (x, y) = self.source_coord(u, v);
        self.luma_at_source(x, y)
    }

    /// RGB at upright coordinates.
    #[inline]
    pub fn rgb(&self, u: usize, v: usize) -> [u8; 3] {
        let (x, y) = self.source_coord(u, v);
        self.rgb_at_source(x, y)
    }
}

impl FrameView<'_> {
    /// The upright→source mapping as two affine axis maps (slopes ±1), for tight loops.
    pub fn axis_map(&self) -> AxisMap {
        let (w, h) = (self.width as i64, self.height as i64);
        let (uw, _) = self.upright_size();
        // (offset, sign) of the source axis fed by u (before mirroring) and by v.
        let ((u_off, u_sign), (v_off, v_sign), transposed) = match self.rotation {
            Rotation::Deg0 => ((0, 1), (0, 1), false),
            Rotation::Deg90 => ((h - 1, -1), (0, 1), true),
            Rotation::Deg180 => ((w - 1, -1), (h - 1, -1), false),
            Rotation::Deg270 => ((0, 1), (w - 1, -1), true),
        };
        let (u_off, u_sign) = if self.mirrored {
            (u_off + u_sign * (uw as i64 - 1), -u_sign)
        } else {
            (u_off, u_sign)
        };
        AxisMap {
            transposed,
            u_off,
            u_sign,
            v_off,
            v_sign,
        }
    }

    /// Calls `visitor` with a pixel fetcher specialised for this frame's layout, so per-pixel
    /// loops are monomorphised (no per-pixel format dispatch).
    pub fn visit<V: PixelVisitor>(&self, visitor: V) -> V::Output {
        let map = self.axis_map();
        let y = self.planes[0].data;
        match self.layout {
            Layout::Packed { r, g, b } => visitor.visit(
                &PackedFetch {
                    data: y,
                    stride: self.y_stride,
                    r,
                    g,
                    b,
                },
                map,
            ),
            Layout::SemiPlanar {
                c_plane,
                c_off,
                c_stride,
                u_first,
            } => {
                let c = self.planes[c_plane].data;
                let (u_at, v_at) = if u_first { (0, 1) } else { (1, 0) };
                visitor.visit(
                    &SemiPlanarFetch {
                        y,
                        y_stride: self.y_stride,
                        c,
                        c_off,
                        c_stride,
                        u_at,
                        v_at,
                    },
                    map,
                )
            }
            Layout::Planar {
                u_stride,
                u_pix,
                v_stride,
                v_pix,
            } => visitor.visit(
                &PlanarFetch {
                    y,
                    y_stride: self.y_stride,
                    u: self.planes[1].data,
                    u_stride,
                    u_pix,
                    v: self.planes[2].data,
                    v_stride,
                    v_pix,
                },
                map,
            ),
        }
    }
}

/// Upright (u, v) → source (x, y) as two affine axes with slope ±1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisMap {
    /// Rotation 90/270: u feeds the source y axis and v the source x axis.
    pub transposed: bool,
    u_off: i64,
    u_sign: i64,
    v_off: i64,
    v_sign: i64,
}

impl AxisMap {
    /// Source coordinate fed by upright `u`.
    #[inline(always)]
    pub fn from_u(&self, u: usize) -> usize {
        (self.u_off + self.u_sign * u as i64) as usize
    }
    /// Source coordinate fed by upright `v`.
    #[inline(always)]
    pub fn from_v(&self, v: usize) -> usize {
        (self.v_off + self.v_sign * v as i64) as usize
    }
    /// Source (x, y) from the already mapped axis values.
    #[inline(always)]
    pub fn xy(&self, su: usize, sv: usize) -> (usize, usize) {
        if self.transposed { (sv, su) } else { (su, sv) }
    }
}

/// Reads pixels at source coordinates (in bounds for a validated view).
pub trait PixelFetch {
    fn rgb(&self, x: usize, y: usize) -> [u8; 3];
    fn luma(&self, x: usize, y: usize) -> u8;
    /// Sum over the sample points of their RGB, as used for one model pixel. Packed formats add
    /// the points' RGB. YUV formats convert once: the rounded mean luma of the points with the
    /// chroma of the first point (the chroma is subsampled anyway), counted once per point.
    #[inline(always)]
    fn block_sum(&self, points: &[(usize, usize)]) -> [u32; 3] {
        let mut acc = [0u32; 3];
        for &(x, y) in points {
            let p = self.rgb(x, y);
            acc[0] += u32::from(p[0]);
            acc[1] += u32::from(p[1]);
            acc[2] += u32::from(p[2]);
        }
        acc
    }
}

/// The YUV version of [`PixelFetch::block_sum`].
#[inline(always)]
fn yuv_block_sum(
    points: &[(usize, usize)],
    luma: impl Fn(usize, usize) -> u8,
    chroma: impl Fn(usize, usize) -> (u8, u8),
) -> [u32; 3] {
    let Some(&(x0, y0)) = points.first() else {
        return [0; 3];
    };
    let n = points.len() as u32;
    let sum: u32 = points.iter().map(|&(x, y)| u32::from(luma(x, y))).sum();
    let mean = ((sum + n / 2) / n) as u8;
    let (u, v) = chroma(x0, y0);
    yuv_to_rgb(mean, u, v).map(|c| u32::from(c) * n)
}

/// A computation over a frame, monomorphised per pixel layout by [`FrameView::visit`].
pub trait PixelVisitor {
    type Output;
    fn visit<P: PixelFetch>(self, pixels: &P, map: AxisMap) -> Self::Output;
}

struct PackedFetch<'a> {
    data: &'a [u8],
    stride: usize,
    r: usize,
    g: usize,
    b: usize,
}

impl PixelFetch for PackedFetch<'_> {
    #[inline(always)]
    fn rgb(&self, x: usize, y: usize) -> [u8; 3] {
        let i = y * self.stride + x * 4;
        match self.data.get(i..i + 4) {
            Some(px) => [px[self.r], px[self.g], px[self.b]],
            None => [0; 3],
        }
    }
    #[inline(always)]
    fn luma(&self, x: usize, y: usize) -> u8 {
        let [r, g, b] = self.rgb(x, y);
        rgb_to_luma(r, g, b)
    }
}

struct SemiPlanarFetch<'a> {
    y: &'a [u8],
    y_stride: usize,
    c: &'a [u8],
    c_off: usize,
    c_stride: usize,
    u_at: usize,
    v_at: usize,
}

impl PixelFetch for SemiPlanarFetch<'_> {
    #[inline(always)]
    fn rgb(&self, x: usize, y: usize) -> [u8; 3] {
        let yv = byte(self.y, y * self.y_stride + x);
        let ci = self.c_off + (y / 2) * self.c_stride + (x / 2) * 2;
        match self.c.get(ci..ci + 2) {
            Some(c) => yuv_to_rgb(yv, c[self.u_at], c[self.v_at]),
            None => [0; 3],
        }
    }
    #[inline(always)]
    fn luma(&self, x: usize, y: usize) -> u8 {
        byte(self.y, y * self.y_stride + x)
    }
    #[inline(always)]
    fn block_sum(&self, points: &[(usize, usize)]) -> [u32; 3] {
        yuv_block_sum(
            points,
            |x, y| self.luma(x, y),
            |x, y| {
                let ci = self.c_off + (y / 2) * self.c_stride + (x / 2) * 2;
                match self.c.get(ci..ci + 2) {
                    Some(c) => (c[self.u_at], c[self.v_at]),
                    None => (128, 128),
                }
            },
        )
    }
}

struct PlanarFetch<'a> {
    y: &'a [u8],
    y_stride: usize,
    u: &'a [u8],
    u_stride: usize,
    u_pix: usize,
    v: &'a [u8],
    v_stride: usize,
    v_pix: usize,
}

impl PixelFetch for PlanarFetch<'_> {
    #[inline(always)]
    fn rgb(&self, x: usize, y: usize) -> [u8; 3] {
        let yv = byte(self.y, y * self.y_stride + x);
        let u = byte(self.u, (y / 2) * self.u_stride + (x / 2) * self.u_pix);
        let v = byte(self.v, (y / 2) * self.v_stride + (x / 2) * self.v_pix);
        yuv_to_rgb(yv, u, v)
    }
    #[inline(always)]
    fn luma(&self, x: usize, y: usize) -> u8 {
        byte(self.y, y * self.y_stride + x)
    }
    #[inline(always)]
    fn block_sum(&self, points: &[(usize, usize)]) -> [u32; 3] {
        yuv_block_sum(
            points,
            |x, y| self.luma(x, y),
            |x, y| {
                (
                    byte(self.u, (y / 2) * self.u_stride + (x / 2) * self.u_pix),
                    byte(self.v, (y / 2) * self.v_stride + (x / 2) * self.v_pix),
                )
            },
        )
    }
}

/// Bounds are guaranteed by validation; `get` keeps this panic-free even if that were ever wrong.
#[inline(always)]
fn byte(data: &[u8], i: usize) -> u8 {
    data.get(i).copied().unwrap_or(0)
}

/// BT.601 full-range luma from RGB, integer.
#[inline]
pub fn rgb_to_luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// BT.601 full-range (JFIF) YUV to RGB, integer (8-bit fixed point).
#[inline]
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let y = i32::from(y);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let r = y + ((359 * e + 128) >> 8);
    let g = y - ((88 * d + 183 * e + 128) >> 8);
    let b = y + ((454 * d + 128) >> 8);
    [clamp_u8(r), clamp_u8(g), clamp_u8(b)]
}

#[inline]
fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}
