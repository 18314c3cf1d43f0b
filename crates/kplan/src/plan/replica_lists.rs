//! Every partition's replica list, leader first, in one flat array.
//!
//! The planner's inner loops read the replica list of a partition for every candidate they
//! price: the followers a leadership could go to, whether a broker already hosts a partition,
//! which racks it spans. With a `Vec` per partition each read is a pointer to follow into a
//! separate allocation, and on a 100,000-partition cluster those reads miss the cache; here a
//! list is a slice of one array, `slots[start[p] .. start[p] + len[p]]`.
//!
//! Each partition has room for the longer of its current list and its target replication factor,
//! which is as long as any stage makes it. A list that outgrows its room anyway moves to the end
//! of the array with twice the room, so nothing depends on that sizing being right.

use std::ops::{Index, IndexMut};

use super::problem::Bx;

/// Slots past a list's length hold whatever was there last; nothing reads them.
#[derive(Clone, Debug)]
pub struct ReplicaLists {
    slots: Vec<Bx>,
    start: Vec<u32>,
    len: Vec<u8>,
    room: Vec<u8>,
}

impl ReplicaLists {
    /// The lists `lists`, partition `p` with room for at least `room(p)` replicas.
    pub fn new(lists: &[Vec<Bx>], room: impl Fn(usize) -> usize) -> Self {
        let mut out = ReplicaLists {
            slots: Vec::new(),
            start: Vec::with_capacity(lists.len()),
            len: Vec::with_capacity(lists.len()),
            room: Vec::with_capacity(lists.len()),
        };
        for (p, list) in lists.iter().enumerate() {
            let room = list.len().max(room(p));
            out.start.push(Self::offset(out.slots.len()));
            out.len.push(Self::small(list.len()));
            out.room.push(Self::small(room));
            out.slots.extend_from_slice(list);
            out.slots.resize(out.slots.len() + room - list.len(), 0);
        }
        out
    }

    /// The number of partitions.
    pub fn partitions(&self) -> usize {
        self.start.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &[Bx]> + '_ {
        (0..self.partitions()).map(move |p| &self[p])
    }

    /// Appends `b` to the list of `p`.
    pub fn push(&mut self, p: usize, b: Bx) {
        if self.len[p] == self.room[p] {
            self.grow(p);
        }
        let at = self.start[p] as usize + usize::from(self.len[p]);
        self.slots[at] = b;
        self.len[p] += 1;
    }

    /// Removes the replica at `pos` of the list of `p`, keeping the order of the rest.
    pub fn remove(&mut self, p: usize, pos: usize) -> Bx {
        let s = self.start[p] as usize;
        let n = usize::from(self.len[p]);
        assert!(pos < n, "partition {p} has {n} replicas, none at {pos}");
        let b = self.slots[s + pos];
        self.slots.copy_within(s + pos + 1..s + n, s + pos);
        self.len[p] -= 1;
        b
    }

    /// Moves the list of `p` to the end of the array with twice its room.
    fn grow(&mut self, p: usize) {
        let s = self.start[p] as usize;
        let n = usize::from(self.len[p]);
        let room = (2 * usize::from(self.room[p])).max(1);
        let at = self.slots.len();
        self.slots.extend_from_within(s..s + n);
        self.slots.resize(at + room, 0);
        self.start[p] = Self::offset(at);
        self.room[p] = Self::small(room);
    }

    fn offset(at: usize) -> u32 {
        u32::try_from(at).expect("fewer than 2^32 replica slots")
    }

    fn small(n: usize) -> u8 {
        u8::try_from(n).expect("fewer than 256 replicas per partition")
    }
}

impl Index<usize> for ReplicaLists {
    type Output = [Bx];

    fn index(&self, p: usize) -> &[Bx] {
        let s = self.start[p] as usize;
        &self.slots[s..s + usize::from(self.len[p])]
    }
}

impl IndexMut<usize> for ReplicaLists {
    fn index_mut(&mut self, p: usize) -> &mut [Bx] {
        let s = self.start[p] as usize;
        &mut self.slots[s..s + usize::from(self.len[p])]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_grow_shrink_and_outgrow_their_room() {
        let mut l = ReplicaLists::new(&[vec![1, 2], vec![], vec![3]], |_| 2);
        assert_eq!(l.iter().collect::<Vec<_>>(), vec![&[1, 2][..], &[], &[3]]);
        l.push(1, 7);
        l.push(2, 8);
        // Partition 0 is full: the third replica moves it to the end of the array.
        l.push(0, 9);
        assert_eq!(&l[0], &[1, 2, 9]);
        assert_eq!(&l[1], &[7]);
        assert_eq!(&l[2], &[3, 8]);
        assert_eq!(l.remove(0, 0), 1);
        assert_eq!(&l[0], &[2, 9]);
        l[0][1] = 4;
        l[0].rotate_right(1);
        assert_eq!(&l[0], &[4, 2]);
        assert_eq!(l.remove(2, 1), 8);
        assert_eq!(&l[2], &[3]);
        assert_eq!(l.partitions(), 3);
    }
}
