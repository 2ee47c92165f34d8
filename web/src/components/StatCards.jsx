/**
 * A row of number cards: `cards` is [[label, value-as-text, note?]]; a card's
 * value carries data-stat="<label in kebab case>" for tests, and an optional
 * note (text) shows under it. While `loading`, the values show "…".
 */
export function StatCards({ label, cards, loading = false }) {
  return (
    <ul class="stats" aria-label={label}>
      {cards.map(([name, value, note]) => (
        <li class="stat" key={name}>
          <span class="stat-label">{name}</span>
          <span class="stat-value" data-stat={name.toLowerCase().replace(' ', '-')}>
            {loading ? '…' : value}
          </span>
          {note && !loading && <span class="stat-note">{note}</span>}
        </li>
      ))}
    </ul>
  );
}
