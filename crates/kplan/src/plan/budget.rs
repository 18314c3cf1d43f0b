use super::problem::{Bx, Problem};

/// Data-movement budget, counted against the *original* assignment: a replica that leaves and
/// later returns to a broker it started on costs nothing.
#[derive(Clone, Debug)]
pub struct Budget {
    pub max_moves: usize,
    pub max_bytes: f64,
    pub moves: usize,
    pub bytes: f64,
}

impl Budget {
    pub fn new(max_moves: Option<usize>, max_bytes: Option<u64>) -> Self {
        Budget {
            max_moves: max_moves.unwrap_or(usize::MAX),
            max_bytes: max_bytes.map_or(f64::INFINITY, |b| b as f64),
            moves: 0,
            bytes: 0.0,
        }
    }

    /// True when neither the moves nor the bytes are limited.
    pub fn unlimited(&self) -> bool {
        self.max_moves == usize::MAX && self.max_bytes.is_infinite()
    }

    /// Change in (moves, bytes) when partition `p` gains a replica on `dst` and loses the one on
    /// `src` (either may be absent).
    pub fn delta(pb: &Problem, p: usize, src: Option<Bx>, dst: Option<Bx>) -> (i64, f64) {
        let part = &pb.parts[p];
        let mut moves = 0i64;
        if let Some(d) = dst {
            if !part.current.contains(&d) {
                moves += 1;
            }
        }
        if let Some(s) = src {
            if !part.current.contains(&s) {
                moves -= 1;
            }
        }
        (moves, moves as f64 * part.size)
    }

    /// True when a change costing `delta` keeps both budgets. Each is checked on its own: a swap
    /// that moves one replica back home and one big replica away costs no move but many bytes.
    pub fn allows(&self, delta: (i64, f64)) -> bool {
        let moves_ok =
            delta.0 <= 0 || self.moves.saturating_add(delta.0 as usize) <= self.max_moves;
        let bytes_ok = delta.1 <= 0.0 || self.bytes + delta.1 <= self.max_bytes + 0.5;
        moves_ok && bytes_ok
    }

    /// True when at least 95 % of either budget is used: what is left cannot carry the
    /// neighbourhood MIPs' exchanges, which then only prove the budget tight at great cost.
    pub fn nearly_spent(&self) -> bool {
        const SPENT: f64 = 0.95;
        self.moves as f64 >= SPENT * self.max_moves as f64 || self.bytes >= SPENT * self.max_bytes
    }

    pub fn charge(&mut self, delta: (i64, f64)) {
        self.moves = (self.moves as i64 + delta.0).max(0) as usize;
        self.bytes = (self.bytes + delta.1).max(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::Budget;

    #[test]
    fn a_change_free_in_moves_still_pays_its_bytes() {
        let mut b = Budget::new(None, Some(1_000));
        b.charge((1, 600.0));
        // A swap: one small replica returns home (−1, −100), one big one leaves (+1, +900).
        assert!(!b.allows((0, 800.0)), "bytes over the budget");
        assert!(b.allows((0, 400.0)));
        assert!(b.allows((-1, -100.0)));
    }

    #[test]
    fn a_budget_is_nearly_spent_at_95_percent_of_either_limit() {
        let mut b = Budget::new(Some(100), Some(1_000));
        assert!(!b.nearly_spent());
        b.charge((94, 940.0));
        assert!(!b.nearly_spent());
        b.charge((1, 20.0));
        assert!(b.nearly_spent(), "95 moves of 100");
        assert!(!Budget::new(None, None).nearly_spent());
    }

    #[test]
    fn a_change_free_in_bytes_still_pays_its_moves() {
        let mut b = Budget::new(Some(1), None);
        b.charge((1, 10.0));
        assert!(!b.allows((1, 0.0)));
        assert!(b.allows((0, 5.0)));
    }
}
