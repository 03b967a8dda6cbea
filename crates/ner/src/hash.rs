//! A small, fixed (version-independent) 64-bit hash for feature keys, and an open-addressing
//! table from those keys to dense feature ids.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x517c_c1b7_2722_0a95;

/// Incremental hasher over feature parts. The result is stable across Rust versions and
/// platforms, so it can be stored in model files.
#[derive(Clone, Copy)]
pub(crate) struct FeatureHasher {
    state: u64,
}

impl FeatureHasher {
    pub(crate) fn new(template: u32) -> FeatureHasher {
        FeatureHasher {
            state: (u64::from(template) ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(K),
        }
    }

    #[inline]
    fn mix(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(K);
    }

    #[inline]
    pub(crate) fn bytes(mut self, bytes: &[u8]) -> FeatureHasher {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(word) ^ ((bytes.len() as u64) << 56));
        self
    }

    #[inline]
    pub(crate) fn str(self, text: &str) -> FeatureHasher {
        self.bytes(text.as_bytes())
    }

    #[inline]
    pub(crate) fn num(mut self, value: u64) -> FeatureHasher {
        self.mix(value ^ 0xa076_1d64_78bd_642f);
        self
    }

    /// Final avalanche (splitmix64), so the low bits are usable as a table index.
    #[inline]
    pub(crate) fn finish(self) -> u64 {
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Hash of a plain string (used for lexicon keys).
pub(crate) fn hash_str(kind: u32, text: &str) -> u64 {
    FeatureHasher::new(kind).str(text).finish()
}

/// Open-addressing map from (well-mixed) 64-bit keys to `u32` values. Keys and values are
/// interleaved so that a lookup touches one cache line.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    slots: Vec<(u64, u32)>,
    mask: usize,
    len: usize,
}

impl KeyTable {
    pub(crate) fn with_capacity(items: usize) -> KeyTable {
        let capacity = (items.max(8) * 2).next_power_of_two();
        KeyTable {
            slots: vec![(0, 0); capacity],
            mask: capacity - 1,
            len: 0,
        }
    }

    /// Key 0 is reserved as "empty"; it is remapped so that any key can be stored.
    #[inline]
    fn fix(key: u64) -> u64 {
        if key == 0 {
            1
        } else {
            key
        }
    }

    pub(crate) fn insert(&mut self, key: u64, value: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let key = Self::fix(key);
        let mut slot = (key as usize) & self.mask;
        loop {
            let entry = &mut self.slots[slot];
            if entry.0 == 0 {
                *entry = (key, value);
                self.len += 1;
                return;
            }
            if entry.0 == key {
                entry.1 = value;
                return;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let capacity = (old.len() * 2).max(16);
        self.slots = vec![(0, 0); capacity];
        self.mask = capacity - 1;
        self.len = 0;
        for (key, value) in old {
            if key != 0 {
                self.insert(key, value);
            }
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let key = Self::fix(key);
        let mut slot = (key as usize) & self.mask;
        loop {
            let (stored, value) = self.slots[slot];
            if stored == key {
                return Some(value);
            }
            if stored == 0 {
                return None;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// All (key, value) pairs, sorted by value then key (deterministic).
    pub(crate) fn entries(&self) -> Vec<(u64, u32)> {
        let mut out: Vec<(u64, u32)> = self
            .slots
            .iter()
            .copied()
            .filter(|(key, _)| *key != 0)
            .collect();
        out.sort_unstable_by_key(|&(key, value)| (value, key));
        out
    }
}

/// Map from feature keys to dense ids `0..len` (id = position in `keys`). Slots hold a 32-bit
/// fingerprint and the id, 8 bytes each, so the table stays small and cache friendly; two keys
/// that share both their slot chain and fingerprint (odds about 1e-9 per lookup) would alias.
#[derive(Debug, Clone, Default)]
pub(crate) struct FeatureIndex {
    /// (fingerprint, id + 1); id + 1 == 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
    mask: usize,
    keys: Vec<u64>,
}

impl FeatureIndex {
    pub(crate) fn new(keys: Vec<u64>) -> FeatureIndex {
        let capacity = (keys.len().max(8) * 2).next_power_of_two();
        let mask = capacity - 1;
        let mut slots = vec![(0u32, 0u32); capacity];
        for (id, &key) in keys.iter().enumerate() {
            let fingerprint = (key >> 32) as u32;
            let mut slot = (key as usize) & mask;
            while slots[slot].1 != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = (fingerprint, id as u32 + 1);
        }
        FeatureIndex { slots, mask, keys }
    }

    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let fingerprint = (key >> 32) as u32;
        let mut slot = (key as usize) & self.mask;
        loop {
            let (stored, id_plus_one) = self.slots[slot];
            if id_plus_one == 0 {
                return None;
            }
            if stored == fingerprint {
                return Some(id_plus_one - 1);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Keys in id order.
    pub(crate) fn keys(&self) -> &[u64] {
        &self.keys
    }
}

/// Hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_distinguishes_parts() {
        let a = FeatureHasher::new(1).str("ab").str("c").finish();
        let b = FeatureHasher::new(1).str("a").str("bc").finish();
        let c = FeatureHasher::new(2).str("ab").str("c").finish();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, FeatureHasher::new(1).str("ab").str("c").finish());
    }

    #[test]
    fn table_inserts_grows_and_finds() {
        let mut table = KeyTable::with_capacity(2);
        for i in 0..1000u64 {
            table.insert(hash_str(0, &i.to_string()), i as u32);
        }
        table.insert(0, 7);
        assert_eq!(table.len(), 1001);
        for i in 0..1000u64 {
            assert_eq!(table.get(hash_str(0, &i.to_string())), Some(i as u32));
        }
        assert_eq!(table.get(0), Some(7));
        assert_eq!(table.get(hash_str(0, "missing")), None);
    }

    #[test]
    fn feature_index_finds_ids() {
        let keys: Vec<u64> = (0..5000u64).map(|i| hash_str(3, &i.to_string())).collect();
        let index = FeatureIndex::new(keys.clone());
        for (id, key) in keys.iter().enumerate() {
            assert_eq!(index.get(*key), Some(id as u32));
        }
        assert_eq!(index.get(hash_str(4, "missing")), None);
        assert_eq!(FeatureIndex::default().get(1), None);
    }
}
