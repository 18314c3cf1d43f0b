use serde::Serialize;

/// The acceptable range of one resource on one broker: `[lo, hi]` around the mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Band {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Band {
    /// `mean·(1 ± tolerance)` for continuous resources; `[floor(mean), ceil(mean)]` for counts,
    /// since no integral placement can do better than that.
    pub fn new(mean: f64, tolerance: f64, integral: bool) -> Self {
        if integral {
            // A tiny epsilon keeps 3.0000000001 from becoming [3, 4].
            Band {
                mean,
                lo: (mean + 1e-9).floor(),
                hi: (mean - 1e-9).ceil(),
            }
        } else {
            Band {
                mean,
                lo: mean * (1.0 - tolerance),
                hi: mean * (1.0 + tolerance),
            }
        }
    }

    /// How far `load` is outside the band (0 inside).
    pub fn violation(&self, load: f64) -> f64 {
        if load > self.hi {
            load - self.hi
        } else if load < self.lo {
            self.lo - load
        } else {
            0.0
        }
    }

    /// Scale that turns an absolute violation into a fraction of the mean.
    pub fn scale(&self) -> f64 {
        if self.mean > 0.0 {
            1.0 / self.mean
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_bands_are_floor_and_ceil() {
        let b = Band::new(7.5, 0.05, true);
        assert_eq!((b.lo, b.hi), (7.0, 8.0));
        let b = Band::new(3.0, 0.5, true);
        assert_eq!((b.lo, b.hi), (3.0, 3.0));
        assert_eq!(b.violation(5.0), 2.0);
    }

    #[test]
    fn continuous_bands_use_tolerance() {
        let b = Band::new(100.0, 0.05, false);
        assert_eq!(b.violation(104.0), 0.0);
        assert!((b.violation(110.0) - 5.0).abs() < 1e-9);
        assert!((b.violation(90.0) - 5.0).abs() < 1e-9);
    }
}
