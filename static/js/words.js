// Counted nouns in what the console says: "1 photo", "2 photos", never "1 photos".

/** `count` and the noun, plural unless it is one (`plural` for irregular nouns). */
export function counted(count, noun, plural = `${noun}s`) {
  return `${count} ${count === 1 ? noun : plural}`;
}
