use std::fmt;
use std::ops::{Index, IndexMut};

use serde::Serialize;

/// A resource the planner balances across brokers.
///
/// Replica resources (`Disk`, `BytesIn`, `Replicas`) follow where replicas are; leader resources
/// (`BytesOut`, `Leaders`) follow which replica leads. That split lets the planner place replicas
/// first and choose leaders afterwards without losing anything: no resource depends on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resource {
    Disk,
    BytesIn,
    BytesOut,
    Replicas,
    Leaders,
}

impl Resource {
    pub const ALL: [Resource; 5] = [
        Resource::Disk,
        Resource::BytesIn,
        Resource::BytesOut,
        Resource::Replicas,
        Resource::Leaders,
    ];

    /// Counts are integral: their band cannot be tighter than `[floor(mean), ceil(mean)]`.
    pub fn is_count(self) -> bool {
        matches!(self, Resource::Replicas | Resource::Leaders)
    }

    /// True when the resource follows leadership rather than replica placement.
    pub fn follows_leader(self) -> bool {
        matches!(self, Resource::BytesOut | Resource::Leaders)
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Resource::Disk => "disk",
            Resource::BytesIn => "bytes-in",
            Resource::BytesOut => "bytes-out",
            Resource::Replicas => "replicas",
            Resource::Leaders => "leaders",
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per [`Resource`], indexed by the resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ResourceVector(pub [f64; 5]);

impl ResourceVector {
    pub fn add(&mut self, other: &ResourceVector) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    pub fn sub(&mut self, other: &ResourceVector) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a -= b;
        }
    }
}

impl Index<Resource> for ResourceVector {
    type Output = f64;
    fn index(&self, r: Resource) -> &f64 {
        &self.0[r.index()]
    }
}

impl IndexMut<Resource> for ResourceVector {
    fn index_mut(&mut self, r: Resource) -> &mut f64 {
        &mut self.0[r.index()]
    }
}
