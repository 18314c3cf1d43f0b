//! Minimum-cost assignment: each row to a distinct column, at least total cost.
//!
//! The Hungarian algorithm with potentials (Kuhn–Munkres, in the shortest-augmenting-path form):
//! rows are added one at a time, each along the cheapest path in reduced costs, so after row `i`
//! the first `i` rows are optimally assigned. O(rows² · columns) on integer costs, exact.
//! The bounds use it to place a handful of hot partitions' replicas on brokers, so rows stay few.

/// The least total cost of assigning every row of `cost` to a distinct column; `None` when there
/// are more rows than columns (no assignment exists). Every row has the same length.
pub fn min_cost_assignment(cost: &[Vec<i64>]) -> Option<i64> {
    let rows = cost.len();
    let cols = cost.first().map_or(0, Vec::len);
    if rows > cols {
        return None;
    }
    // 1-based arrays, column 0 a virtual start: `owner[j]` is the row holding column `j`.
    let mut u = vec![0i64; rows + 1];
    let mut v = vec![0i64; cols + 1];
    let mut owner = vec![0usize; cols + 1];
    let mut way = vec![0usize; cols + 1];
    for i in 1..=rows {
        owner[0] = i;
        let mut j0 = 0;
        let mut min_to = vec![i64::MAX; cols + 1];
        let mut used = vec![false; cols + 1];
        // Grow a tree of tight edges from row i until it reaches a free column.
        loop {
            used[j0] = true;
            let i0 = owner[j0];
            let mut delta = i64::MAX;
            let mut j1 = 0;
            for j in 1..=cols {
                if used[j] {
                    continue;
                }
                let reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
                if reduced < min_to[j] {
                    min_to[j] = reduced;
                    way[j] = j0;
                }
                if min_to[j] < delta {
                    delta = min_to[j];
                    j1 = j;
                }
            }
            for j in 0..=cols {
                if used[j] {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
            if owner[j0] == 0 {
                break;
            }
        }
        // Flip the path back to the start.
        loop {
            let j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    Some(
        (1..=cols)
            .filter(|&j| owner[j] != 0)
            .map(|j| cost[owner[j] - 1][j - 1])
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The cheapest assignment by trying every injective map of rows to columns.
    fn brute_force(cost: &[Vec<i64>], row: usize, used: &mut Vec<bool>) -> i64 {
        if row == cost.len() {
            return 0;
        }
        let mut best = i64::MAX;
        for j in 0..used.len() {
            if !used[j] {
                used[j] = true;
                let rest = brute_force(cost, row + 1, used);
                used[j] = false;
                if rest != i64::MAX {
                    best = best.min(cost[row][j] + rest);
                }
            }
        }
        best
    }

    proptest! {
        #[test]
        fn matches_exhaustive_search(
            (cols, values) in (1usize..=4, 0usize..=3)
                .prop_flat_map(|(r, extra)| (Just(r + extra), proptest::collection::vec(-20i64..40, r * (r + extra))))
        ) {
            let cost: Vec<Vec<i64>> = values.chunks(cols).map(<[i64]>::to_vec).collect();
            let expected = brute_force(&cost, 0, &mut vec![false; cols]);
            prop_assert_eq!(min_cost_assignment(&cost), Some(expected));
        }
    }

    #[test]
    fn more_rows_than_columns_have_no_assignment() {
        assert_eq!(min_cost_assignment(&[vec![1], vec![2]]), None);
    }
}
