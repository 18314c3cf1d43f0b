//! Candidates best first, sorted only as far as a scan reads.
//!
//! The replica and leader searches order a broker's thousands of candidates by a bound on what
//! each can gain and stop at the first whose bound cannot beat the best found: usually after a
//! few dozen. Sorting them all was a fifth of the balance stage; selecting the next batch costs
//! time linear in what is left.

use std::cmp::Ordering;

/// Entries sorted before the first read; each further batch doubles what is sorted.
const FIRST_BATCH: usize = 64;

/// A list read in the order of `order`, sorted batch by batch as the reads reach it.
pub struct BestFirst<T> {
    list: Vec<T>,
    /// `list[..sorted]` holds the first `sorted` entries of the order, in order.
    sorted: usize,
    order: fn(&T, &T) -> Ordering,
}

impl<T: Copy> BestFirst<T> {
    /// `order` must be total (ties broken by a unique field), so the reads come in the order a
    /// full sort gives, whatever the list's initial order.
    pub fn new(list: Vec<T>, order: fn(&T, &T) -> Ordering) -> Self {
        BestFirst {
            list,
            sorted: 0,
            order,
        }
    }

    /// The `i`-th entry of the order, sorting the next batch when `i` passes what is sorted.
    pub fn get(&mut self, i: usize) -> Option<T> {
        if i >= self.list.len() {
            return None;
        }
        if i >= self.sorted {
            let rest = &mut self.list[self.sorted..];
            let batch = self.sorted.max(FIRST_BATCH).min(rest.len());
            if batch < rest.len() {
                rest.select_nth_unstable_by(batch - 1, self.order);
            }
            rest[..batch].sort_unstable_by(self.order);
            self.sorted += batch;
        }
        Some(self.list[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_come_in_the_order_a_full_sort_gives() {
        // A scrambled list long enough for three batches.
        let list: Vec<(u32, u32)> = (0..300u32).map(|i| ((i * 7919) % 50, i)).collect();
        let order = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        let mut full = list.clone();
        full.sort_by(order);
        let mut lazy = BestFirst::new(list, order);
        let read: Vec<(u32, u32)> = (0..).map_while(|i| lazy.get(i)).collect();
        assert_eq!(read, full);
        assert_eq!(lazy.get(300), None);
    }
}
