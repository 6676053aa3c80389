// DOM helpers. No innerHTML anywhere: data is never markup, every text goes in as a text node.

export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

export function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** replaceChildren that, like h(), skips null and false (the DOM's own would write "null"). */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function announce(message) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

/**
 * The page title, with "Error: " before it while any form shows errors (the GOV.UK pattern): views set the base,
 * forms say when their errors show or clear.
 */
export const pageTitle = (() => {
  let base = document.title;
  const failing = new Set();
  const apply = () => { document.title = (failing.size ? "Error: " : "") + base; };
  return {
    set(title) { base = title; apply(); },
    error(formId, on) { on ? failing.add(formId) : failing.delete(formId); apply(); },
    reset() { failing.clear(); apply(); },
  };
})();

/** Moves focus to a target without following the link: the page's own address is its hash route. */
export function jumpTo(target) {
  return event => {
    event.preventDefault();
    const node = typeof target === "function" ? target() : target;
    if (!node) return;
    node.scrollIntoView({ block: "center" });
    node.focus({ preventScroll: true });
  };
}

/** A link to the row of the events table for a version (its id is event-<version>). */
export function eventLink(event, text) {
  const id = `event-${event.version}`;
  return h("a", { href: `#${id}`, class: "event-link", "data-version": event.version, text,
    onclick: jumpTo(() => document.getElementById(id)) });
}

/**
 * Calls draw(width) when frame is first laid out and again whenever its width (never below narrowest) changes, for as
 * long as whole is in the page: a picture drawn at the width it is shown at.
 */
export function drawAtWidth(whole, frame, narrowest, draw) {
  let drawn = 0;
  const resized = new ResizeObserver(() => {
    if (!whole.isConnected) { resized.disconnect(); return; }
    const width = Math.max(narrowest, Math.floor(frame.clientWidth));
    if (width !== drawn) { drawn = width; draw(width); }
  });
  resized.observe(frame);
}
