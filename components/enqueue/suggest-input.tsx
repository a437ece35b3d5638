import { useId } from 'react';
import { INPUT_CLASS } from './field';

/** A free-text input that suggests known values (the browser's own <datalist> list, keyboard included). */
export function SuggestInput({
  id,
  value,
  onChange,
  suggestions,
  placeholder,
  invalid,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  suggestions: { value: string; label?: string }[];
  placeholder: string;
  invalid: Record<string, unknown>;
}) {
  const listId = useId();
  return (
    <>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        className={`${INPUT_CLASS} font-mono`}
        {...invalid}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </datalist>
    </>
  );
}
