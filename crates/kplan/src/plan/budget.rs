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

    pub fn allows(&self, delta: (i64, f64)) -> bool {
        delta.0 <= 0
            || (self.moves.saturating_add(delta.0 as usize) <= self.max_moves
                && self.bytes + delta.1 <= self.max_bytes + 0.5)
    }

    pub fn charge(&mut self, delta: (i64, f64)) {
        self.moves = (self.moves as i64 + delta.0).max(0) as usize;
        self.bytes = (self.bytes + delta.1).max(0.0);
    }
}
