// Words a person can act on, for every failure the page can meet. The API's validation errors
// name a field and carry pydantic's text ("Input should be less than or equal to 10000000"); the
// page says the same thing with the field's name and the limit in words.

const FIELD_NAMES: Record<string, string> = {
  searchText: "Your request",
  minPrice: "Minimum price",
  maxPrice: "Maximum price",
  minRating: "Minimum rating",
  targetRetailers: "Retailers",
  quantity: "Quantity",
  min: "Minimum budget",
  max: "Maximum budget",
  style: "Style",
  size: "Sizes",
  brands: "Brands",
  colors: "Colours",
  productCategories: "Categories",
  text: "Your message",
};

export function fieldName(field: string): string {
  const parts = field.split(".").filter((p) => !/^\d+$/.test(p));
  const last = parts.at(-1) ?? field;
  if (parts.includes("budget") && (last === "min" || last === "max")) return FIELD_NAMES[last] ?? last;
  return FIELD_NAMES[last] ?? last;
}

const NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

function num(text: string): string {
  const value = Number(text);
  return Number.isFinite(value) ? NUMBER.format(value) : text;
}

/** A validation error of the API as a sentence: "Maximum price can be at most 10,000,000." */
export function validationMessage(field: string | undefined, raw: string): string {
  const detail = raw.includes(": ") ? raw.slice(raw.indexOf(": ") + 2) : raw;
  const name = field && field !== "body" ? fieldName(field) : "The request";
  let match = /less than or equal to (-?[\d.e+]+)/i.exec(detail);
  if (match?.[1]) return `${name} can be at most ${num(match[1])}.`;
  match = /greater than or equal to (-?[\d.e+]+)/i.exec(detail);
  if (match?.[1]) return `${name} must be at least ${num(match[1])}.`;
  match = /at most (\d+) characters?/i.exec(detail);
  if (match?.[1]) return `${name} can be at most ${num(match[1])} characters long.`;
  match = /at most (\d+) items?/i.exec(detail);
  if (match?.[1]) return `${name} can list at most ${num(match[1])} entries.`;
  match = /at least (\d+) characters?/i.exec(detail);
  if (match?.[1]) return `${name} can't be empty.`;
  if (/valid number|finite number/i.test(detail)) return `${name} must be a number.`;
  if (/must not exceed/i.test(detail)) return "The minimum is above the maximum.";
  return `${name}: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}`.replace(/\.?$/, ".");
}

/** The microphone could not be opened: say why and how to allow it. */
export function micErrorMessage(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return "The microphone is blocked for this site. To talk, allow it: click the icon left of the address bar, set Microphone to Allow, then press the mic again. You can also type below.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "No microphone was found. Plug one in and press the mic again, or type below.";
  }
  if (name === "NotReadableError" || name === "AbortError") {
    return "Another app is using the microphone. Close it and press the mic again, or type below.";
  }
  return "The microphone could not be opened. Check the browser's microphone setting, or type below.";
}

export const AGENT_UNREACHABLE =
  "The assistant can't be reached right now. Check your connection and try again in a moment; your saved items and cart are safe.";

/** Longest message the text box sends; longer text is refused with a note, never read aloud. */
export const MAX_TYPED_CHARS = 500;

export function typedTooLong(length: number): string {
  return `That message is ${NUMBER.format(length)} characters; the assistant takes up to ${MAX_TYPED_CHARS}. Shorten it to what you are looking for, like “black running shoes under 80 dollars”.`;
}
