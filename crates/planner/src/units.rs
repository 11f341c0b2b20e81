//! Physical units as newtypes over `f64`.
//!
//! Only the operations that make physical sense exist: `Bytes / BytesPerSec = Seconds`,
//! `Flops / FlopsPerSec = Seconds`, sums of like quantities, scaling by a plain number, and the
//! ratio of two like quantities. Values are built at the boundary (`Bytes::from_gib(80.0)`) and
//! formatted only in views; raw numbers that leave the planner carry their unit in the field name.

use serde::{Deserialize, Serialize};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, Sub};

/// 2^30 bytes.
pub const GIB: f64 = 1_073_741_824.0;

macro_rules! unit {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl $name {
            pub const ZERO: Self = Self(0.0);

            /// The raw value in the base unit.
            pub fn value(self) -> f64 {
                self.0
            }

            /// The larger of two values.
            pub fn max(self, other: Self) -> Self {
                Self(self.0.max(other.0))
            }

            /// The smaller of two values.
            pub fn min(self, other: Self) -> Self {
                Self(self.0.min(other.0))
            }
        }

        impl Add for $name {
            type Output = Self;
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }

        impl AddAssign for $name {
            fn add_assign(&mut self, rhs: Self) {
                self.0 += rhs.0;
            }
        }

        impl Sub for $name {
            type Output = Self;
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }

        impl Mul<f64> for $name {
            type Output = Self;
            fn mul(self, rhs: f64) -> Self {
                Self(self.0 * rhs)
            }
        }

        impl Div<f64> for $name {
            type Output = Self;
            fn div(self, rhs: f64) -> Self {
                Self(self.0 / rhs)
            }
        }

        /// The ratio of two like quantities is a plain number.
        impl Div for $name {
            type Output = f64;
            fn div(self, rhs: Self) -> f64 {
                self.0 / rhs.0
            }
        }

        impl Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                Self(iter.map(|x| x.0).sum())
            }
        }
    };
}

unit!(
    /// A number of bytes.
    Bytes
);
unit!(
    /// A number of floating-point operations.
    Flops
);
unit!(
    /// A duration in seconds.
    Seconds
);
unit!(
    /// A transfer rate in bytes per second.
    BytesPerSec
);
unit!(
    /// A compute rate in floating-point operations per second.
    FlopsPerSec
);

impl Bytes {
    pub fn from_gib(gib: f64) -> Self {
        Self(gib * GIB)
    }
    pub fn gib(self) -> f64 {
        self.0 / GIB
    }
}

impl Seconds {
    pub fn from_ms(ms: f64) -> Self {
        Self(ms / 1e3)
    }
    pub fn ms(self) -> f64 {
        self.0 * 1e3
    }
}

impl BytesPerSec {
    /// From gigabytes (10^9) per second, the unit of datasheets.
    pub fn from_gb_s(gb_s: f64) -> Self {
        Self(gb_s * 1e9)
    }
    /// From terabytes (10^12) per second, the unit of HBM datasheets.
    pub fn from_tb_s(tb_s: f64) -> Self {
        Self(tb_s * 1e12)
    }
    pub fn gb_s(self) -> f64 {
        self.0 / 1e9
    }
}

impl FlopsPerSec {
    /// From TFLOP/s (10^12), the unit of datasheets.
    pub fn from_tflops(tflops: f64) -> Self {
        Self(tflops * 1e12)
    }
    pub fn tflops(self) -> f64 {
        self.0 / 1e12
    }
}

impl Div<BytesPerSec> for Bytes {
    type Output = Seconds;
    fn div(self, rhs: BytesPerSec) -> Seconds {
        Seconds(self.0 / rhs.0)
    }
}

impl Div<FlopsPerSec> for Flops {
    type Output = Seconds;
    fn div(self, rhs: FlopsPerSec) -> Seconds {
        Seconds(self.0 / rhs.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_over_bandwidth_is_time() {
        let t = Bytes(16e9) / BytesPerSec::from_tb_s(3.35);
        assert!((t.ms() - 4.776).abs() < 1e-3, "{}", t.ms());
    }

    #[test]
    fn flops_over_rate_is_time() {
        let t = Flops(989e12) / FlopsPerSec::from_tflops(989.0);
        assert_eq!(t, Seconds(1.0));
    }

    #[test]
    fn gib_round_trips() {
        assert_eq!(Bytes::from_gib(80.0).gib(), 80.0);
        assert_eq!(Bytes::from_gib(1.0).value(), GIB);
    }
}
