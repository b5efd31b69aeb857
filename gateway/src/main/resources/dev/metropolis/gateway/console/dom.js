// Builds elements from text only: whatever a script or a reply says is set as text, never parsed as markup.
const ATTRIBUTES = new Set(['class', 'id', 'title', 'type', 'value', 'placeholder', 'for', 'name', 'hidden',
  'data-task', 'data-type', 'rows', 'selected', 'disabled', 'spellcheck', 'autocomplete']);

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (!ATTRIBUTES.has(name)) throw new Error(`attribute ${name} is not one the console sets`);
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function text(node, value) {
  node.textContent = value === null || value === undefined ? '' : String(value);
  return node;
}
