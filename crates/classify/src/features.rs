//! Text to hashed word and word-bigram features.
//!
//! A word is a run of ASCII letters and digits or non-ASCII bytes (so UTF-8 letters stay inside
//! words); everything else, including the `\` that AG News uses for line breaks, separates words.
//! ASCII is lowercased. Each word and each pair of adjacent words is hashed into one of
//! `2^hash_bits` buckets. Both training and prediction go through [`hashed_tokens`], so the two
//! can never disagree.

/// Multiplier of the word hash (a 64-bit odd constant with well-mixed bits).
const WORD_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
/// Seed of the word hash.
const WORD_SEED: u64 = 0xCBF2_9CE4_8422_2325;
/// Mixes a bigram (previous word hash, word hash) into its own hash space.
const BIGRAM_MULTIPLIER: u64 = 0xD6E8_FEB8_6659_FD93;

/// Which bytes belong to words.
const WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let value = byte as u8;
        table[byte] = value.is_ascii_alphanumeric() || value >= 0x80;
        byte += 1;
    }
    table
};

/// ORed into every 8 bytes of a word: lowercases ASCII letters, leaves digits alone. (Bytes of
/// UTF-8 letters get bit 5 set too; that only merges a few rare byte pairs, the same way in
/// training and prediction.)
const LOWERCASE: u64 = 0x2020_2020_2020_2020;

/// Final mix so the top bits (the bucket) depend on every input bit: one xor-shift and one
/// multiply (the top bits of a product depend on all lower bits of its input).
#[inline]
fn finish(hash: u64) -> u64 {
    (hash ^ (hash >> 32)).wrapping_mul(0xBF58_476D_1CE4_E5B9)
}

/// Hash of one word (its bytes lowercased), 8 bytes at a time: the word is
/// `bytes[start..end]`. The last partial chunk counts as zero-padded; when 8 bytes of `bytes`
/// are there it is read as one load and masked (copying it into a zeroed buffer instead costs a
/// `memmove` call and a store-forwarding stall per word, the hottest spot of tokenising).
#[inline]
fn word_hash(bytes: &[u8], start: usize, end: usize) -> u64 {
    let mut hash = WORD_SEED ^ ((end - start) as u64);
    let mut position = start;
    while position + 8 <= end {
        let mut buffer = [0u8; 8];
        buffer.copy_from_slice(&bytes[position..position + 8]);
        hash = (hash ^ (u64::from_le_bytes(buffer) | LOWERCASE)).wrapping_mul(WORD_MULTIPLIER);
        hash = hash.rotate_left(31);
        position += 8;
    }
    let rest = end - position;
    if rest > 0 {
        let value = if position + 8 <= bytes.len() {
            let mut buffer = [0u8; 8];
            buffer.copy_from_slice(&bytes[position..position + 8]);
            u64::from_le_bytes(buffer) & ((1u64 << (8 * rest)) - 1)
        } else {
            bytes[position..end]
                .iter()
                .rev()
                .fold(0u64, |value, &byte| (value << 8) | u64::from(byte))
        };
        hash = (hash ^ (value | LOWERCASE)).wrapping_mul(WORD_MULTIPLIER);
    }
    finish(hash)
}

/// Seed of word-prefix features.
const PREFIX_SEED: u64 = 0x8F1B_BCDC_A5A5_3C3C;

/// Calls `emit` with the hash of every word, of the first `prefix` bytes of every longer word
/// (a cheap stand-in for stemming: `prefix` 0 is off) and, when `bigrams`, of every adjacent
/// word pair.
#[inline]
pub fn for_each_hash(text: &str, bigrams: bool, prefix: u8, mut emit: impl FnMut(u64)) {
    for_each_hash_with_title(text, bigrams, prefix, false, &mut emit);
}

/// Seed of title-word features.
const TITLE_SEED: u64 = 0x5851_F42D_4C95_7F2D;

/// [`for_each_hash`], plus, when `title`, a second feature for every word of the first line
/// (the headline, when the text is `title\nbody`) if the text has more than one line.
#[inline]
pub fn for_each_hash_with_title(
    text: &str,
    bigrams: bool,
    prefix: u8,
    title: bool,
    mut emit: impl FnMut(u64),
) {
    let bytes = text.as_bytes();
    let title_end = if title {
        text.trim_start()
            .find('\n')
            .map_or(0, |end| end + (text.len() - text.trim_start().len()))
    } else {
        0
    };
    let mut position = 0;
    let mut previous: Option<u64> = None;
    while position < bytes.len() {
        while position < bytes.len() && !WORD_BYTES[usize::from(bytes[position])] {
            position += 1;
        }
        if position >= bytes.len() {
            break;
        }
        let start = position;
        while position < bytes.len() && WORD_BYTES[usize::from(bytes[position])] {
            position += 1;
        }
        let word = word_hash(bytes, start, position);
        emit(word);
        if start < title_end {
            emit(word ^ TITLE_SEED);
        }
        let cut = usize::from(prefix);
        if cut > 0 && position - start > cut {
            emit(word_hash(bytes, start, start + cut) ^ PREFIX_SEED);
        }
        if bigrams {
            if let Some(before) = previous {
                emit(finish(
                    before.wrapping_mul(BIGRAM_MULTIPLIER) ^ word.rotate_left(17),
                ));
            }
            previous = Some(word);
        }
    }
}

/// The bucket of a hash for a table of `2^hash_bits` buckets.
#[inline]
pub fn bucket(hash: u64, hash_bits: u8) -> u32 {
    // hash_bits is 1..=30 (checked where models are built or read), so this fits in u32.
    (hash >> (64 - u32::from(hash_bits))) as u32
}

/// Reusable buffers of [`hashed_tokens`].
#[derive(Debug, Default)]
pub struct Scratch {
    /// Open-addressing set: slot -> index into the output + 1 (0 = empty).
    slots: Vec<u32>,
    /// Slots in use, to clear them afterwards.
    touched: Vec<u32>,
}

/// Documents with more features than this are counted by sorting instead of the slot table.
const MAX_TABLE_FEATURES: usize = 1 << 15;

/// Buckets with their counts, `(bucket, count)`, one entry per distinct bucket, in order of first
/// occurrence.
pub fn hashed_tokens(
    text: &str,
    hash_bits: u8,
    bigrams: bool,
    prefix: u8,
    title: bool,
    scratch: &mut Scratch,
    out: &mut Vec<(u32, u32)>,
) {
    out.clear();
    // At most one word per two bytes (a word and a separator), each with one bigram.
    let most = text.len() + 2;
    if most > MAX_TABLE_FEATURES {
        let mut all = Vec::with_capacity(most / 2);
        for_each_hash_with_title(text, bigrams, prefix, title, |hash| {
            all.push(bucket(hash, hash_bits))
        });
        all.sort_unstable();
        for index in all {
            match out.last_mut() {
                Some((last, count)) if *last == index => *count += 1,
                _ => out.push((index, 1)),
            }
        }
        return;
    }
    let size = (most * 2).next_power_of_two();
    if scratch.slots.len() < size {
        scratch.slots = vec![0; size];
    }
    let mask = size - 1;
    let Scratch { slots, touched } = scratch;
    for_each_hash_with_title(text, bigrams, prefix, title, |hash| {
        let index = bucket(hash, hash_bits);
        let mut slot = (index.wrapping_mul(0x9E37_79B1) as usize) & mask;
        loop {
            let entry = slots[slot];
            if entry == 0 {
                out.push((index, 1));
                slots[slot] = out.len() as u32;
                touched.push(slot as u32);
                break;
            }
            let found = &mut out[entry as usize - 1];
            if found.0 == index {
                found.1 += 1;
                break;
            }
            slot = (slot + 1) & mask;
        }
    });
    for slot in touched.drain(..) {
        slots[slot as usize] = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(text: &str, bigrams: bool) -> Vec<u64> {
        let mut all = Vec::new();
        for_each_hash(text, bigrams, 0, |hash| all.push(hash));
        all
    }

    #[test]
    fn case_and_separators_do_not_matter() {
        assert_eq!(
            hashes("Strong Dollar", true),
            hashes("strong\\dollar", true)
        );
        assert_ne!(hashes("strong dollar", true), hashes("dollar strong", true));
    }

    #[test]
    fn counts_words_and_bigrams() {
        assert_eq!(hashes("a b c", false).len(), 3);
        assert_eq!(hashes("a b c", true).len(), 5);
        assert!(hashes("  ... ", true).is_empty());
    }

    #[test]
    fn prefixes_only_for_longer_words() {
        let mut with = Vec::new();
        for_each_hash("internationally intern is", false, 6, |hash| {
            with.push(hash)
        });
        assert_eq!(with.len(), 4);
        // The prefix "intern" of the first word is its own feature, not the word "intern".
        assert_ne!(with[1], with[2]);
    }

    #[test]
    fn title_features_only_for_the_first_line() {
        let count = |text: &str, title: bool| {
            let mut total = 0;
            for_each_hash_with_title(text, false, 0, title, |_| total += 1);
            total
        };
        assert_eq!(count("Big news today\nbody text here", true), 9);
        assert_eq!(count("Big news today\nbody text here", false), 6);
        assert_eq!(count("one line only", true), 3);
        assert_eq!(count("  \n\nHeadline\nbody", true), 3);
    }

    #[test]
    fn utf8_letters_stay_in_words() {
        assert_eq!(hashes("café au lait", false).len(), 3);
        assert_ne!(hashes("café", false), hashes("caf", false));
    }

    #[test]
    fn tokens_are_counted() {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        hashed_tokens(
            "the cat the cat the",
            16,
            false,
            0,
            false,
            &mut scratch,
            &mut out,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out.iter().map(|(_, count)| count).sum::<u32>(), 5);
        assert!(out.iter().all(|(index, _)| *index < (1 << 16)));
        // The scratch table is left clean for the next text.
        hashed_tokens("dog", 16, false, 0, false, &mut scratch, &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn table_and_sort_paths_agree() {
        let text = "alpha beta gamma alpha beta delta ".repeat(2000);
        let mut scratch = Scratch::default();
        let mut long = Vec::new();
        hashed_tokens(&text, 12, true, 4, false, &mut scratch, &mut long);
        let mut short = Vec::new();
        hashed_tokens(
            "alpha beta gamma alpha beta delta alpha",
            12,
            true,
            4,
            false,
            &mut scratch,
            &mut short,
        );
        let mut long_buckets: Vec<u32> = long.iter().map(|(index, _)| *index).collect();
        let mut short_buckets: Vec<u32> = short.iter().map(|(index, _)| *index).collect();
        long_buckets.sort_unstable();
        short_buckets.sort_unstable();
        assert_eq!(long_buckets, short_buckets);
        let total: u32 = long.iter().map(|(_, count)| count).sum();
        // Words, bigrams, and a prefix for each of the 5-letter words (all but "beta").
        assert_eq!(total as usize, 2000 * 6 + 2000 * 6 - 1 + 2000 * 4);
    }

    /// The word hash as first written (each word copied into a zero-padded buffer): models
    /// trained with it must keep reading the same buckets.
    fn reference_word_hash(word: &[u8]) -> u64 {
        let mut hash = WORD_SEED ^ (word.len() as u64);
        let mut chunks = word.chunks_exact(8);
        for chunk in &mut chunks {
            let mut buffer = [0u8; 8];
            buffer.copy_from_slice(chunk);
            hash = (hash ^ (u64::from_le_bytes(buffer) | LOWERCASE)).wrapping_mul(WORD_MULTIPLIER);
            hash = hash.rotate_left(31);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buffer = [0u8; 8];
            buffer[..rest.len()].copy_from_slice(rest);
            hash = (hash ^ (u64::from_le_bytes(buffer) | LOWERCASE)).wrapping_mul(WORD_MULTIPLIER);
        }
        finish(hash)
    }

    #[test]
    fn word_hash_reads_in_place_like_the_padded_copy() {
        let text = "Strong dollar\\hits exporters; internationally-minded café owners, 2004 \
                    results: a I ab abcdefgh abcdefghi Zürich x";
        let bytes = text.as_bytes();
        // Every sub-slice that ends at or before the text's end, near the end too (where the
        // 8-byte load would run past the text).
        for start in 0..bytes.len() {
            for end in start + 1..=bytes.len().min(start + 20) {
                assert_eq!(
                    word_hash(bytes, start, end),
                    reference_word_hash(&bytes[start..end]),
                    "{start}..{end}"
                );
            }
        }
    }
}
