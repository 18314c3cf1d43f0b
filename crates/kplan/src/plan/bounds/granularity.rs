//! Granularity (argument 7 of the module docs): a broker's load is its fixed load plus a sum of
//! whole items, at most one per partition. When the values are integers (sizes always are;
//! rates often are) and few, the set of sums one broker can reach is computed exactly with a
//! bitset, and the bounds move to the nearest reachable loads:
//!
//! ```text
//! max ≥ min_b min { F(b) + s : s ∈ Sums, F(b) + s ≥ T_max }
//! min ≤ max_b max { F(b) + s : s ∈ Sums, F(b) + s ≤ T_min }
//! ```
//!
//! since the busiest broker carries at least `T_max` and the least busy at most `T_min`. With
//! 8 partitions of 10 and 5 GiB on 4 brokers the mean is 32.5 GiB, no broker can hold 32.5 and
//! the busiest holds at least 35 GiB: ±5 % is out of reach, and the report can say so.

use super::{BoundReason, Items, ResourceBound};

/// Largest bitset (in bits) and work (bits × pieces) spent on one resource.
const MAX_BITS: u64 = 1 << 22;
const MAX_WORK: u64 = 1 << 31;

pub(super) fn apply(items: &Items, count: bool, bound: &mut ResourceBound) {
    if count || items.values.is_empty() {
        return; // counts are already rounded to integers by the caller
    }
    let Some(unit) = common_unit(items) else {
        return;
    };
    let target_max = (bound.max_load / unit - 1e-9).ceil().max(0.0) as u64;
    let target_min = (bound.min_load / unit + 1e-9).floor();
    let limit = target_max.saturating_add(2);
    if limit > MAX_BITS {
        return;
    }
    // One item per partition on one broker: each partition's value once, whatever its RF.
    let mut values: Vec<u64> = items
        .values
        .iter()
        .map(|&(v, _)| (v / unit).round() as u64)
        .collect();
    values.sort_unstable();
    let Some(sums) = reachable_sums(&values, limit) else {
        return;
    };
    let fixed: Vec<u64> = items
        .fixed
        .iter()
        .map(|&f| (f / unit).round() as u64)
        .collect();
    let mut max_candidate = u64::MAX;
    let mut min_candidate: Option<u64> = None;
    for &f in &fixed {
        // Smallest reachable load at or above the target on this broker.
        let need = target_max.saturating_sub(f);
        let s = (need..limit).find(|&s| sums.get(s)).unwrap_or(limit);
        max_candidate = max_candidate.min(f + s);
        // Largest reachable load at or below the target on this broker.
        if target_min >= f as f64 {
            let room = (target_min as u64 - f).min(limit - 1);
            let s = (0..=room).rev().find(|&s| sums.get(s)).unwrap_or(0);
            min_candidate = Some(min_candidate.map_or(f + s, |m| m.max(f + s)));
        }
    }
    if max_candidate != u64::MAX {
        bound.raise_max(max_candidate as f64 * unit, BoundReason::Granularity);
    }
    if let Some(m) = min_candidate {
        bound.lower_min(m as f64 * unit, BoundReason::Granularity);
    }
}

/// The greatest common divisor of every value and fixed load, when all are integers.
fn common_unit(items: &Items) -> Option<f64> {
    let mut g: u64 = 0;
    let all = items
        .values
        .iter()
        .map(|&(v, _)| v)
        .chain(items.fixed.iter().copied());
    for v in all {
        if !(0.0..9e15).contains(&v) || v.fract() != 0.0 {
            return None;
        }
        g = gcd(g, v as u64);
    }
    (g > 0).then_some(g as f64)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Sums of sub-multisets of `values` (each value usable as often as it occurs) below `limit`,
/// by bounded knapsack with binary splitting; `None` when that is too much work.
fn reachable_sums(values: &[u64], limit: u64) -> Option<Bitset> {
    let mut pieces: Vec<u64> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let v = values[i];
        let count = values[i..].iter().take_while(|&&x| x == v).count() as u64;
        i += count as usize;
        if v == 0 || v >= limit {
            continue;
        }
        // 1, 2, 4, … copies, then the rest: every count up to `count` is a sum of pieces.
        let useful = count.min(limit / v + 1);
        let mut left = useful;
        let mut k = 1;
        while left > 0 {
            let take = k.min(left);
            pieces.push(take * v);
            left -= take;
            k *= 2;
        }
    }
    if (pieces.len() as u64).saturating_mul(limit) > MAX_WORK {
        return None;
    }
    let mut sums = Bitset::new(limit);
    sums.set(0);
    for p in pieces {
        sums.or_shifted(p);
    }
    Some(sums)
}

/// A fixed-size bitset with the one operation knapsack needs: `self |= self << shift`.
struct Bitset {
    words: Vec<u64>,
    bits: u64,
}

impl Bitset {
    fn new(bits: u64) -> Self {
        Bitset {
            words: vec![0; bits.div_ceil(64) as usize],
            bits,
        }
    }

    fn set(&mut self, i: u64) {
        self.words[(i / 64) as usize] |= 1 << (i % 64);
    }

    fn get(&self, i: u64) -> bool {
        i < self.bits && self.words[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    fn or_shifted(&mut self, shift: u64) {
        let (words, bits) = ((shift / 64) as usize, (shift % 64) as u32);
        for i in (words..self.words.len()).rev() {
            let src = i - words;
            let mut v = self.words[src] << bits;
            if bits > 0 && src > 0 {
                v |= self.words[src - 1] >> (64 - bits);
            }
            self.words[i] |= v;
        }
        // Bits past `self.bits` in the last word are never read.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knapsack_sums_respect_multiplicity() {
        // Two 2s and one 3: sums 0, 2, 3, 4, 5, 7 — not 6 (that would need three 2s).
        let sums = reachable_sums(&[2, 2, 3], 10).unwrap();
        let got: Vec<u64> = (0..10).filter(|&s| sums.get(s)).collect();
        assert_eq!(got, [0, 2, 3, 4, 5, 7]);
    }

    #[test]
    fn shifts_cross_word_boundaries() {
        let mut b = Bitset::new(200);
        b.set(0);
        b.set(63);
        b.or_shifted(70);
        assert!(b.get(70) && b.get(133) && b.get(63) && !b.get(64));
    }
}
