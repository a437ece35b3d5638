import { useId } from 'react';
import { errorProps } from '../ui/field';
import { Input } from '../ui/input';

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
  invalid: ReturnType<typeof errorProps>;
}) {
  const listId = useId();
  return (
    <>
      <Input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        mono
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
