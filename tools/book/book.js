// The published edition: draw the Mermaid diagrams from the local copy, and search the pages.
document.addEventListener("DOMContentLoaded", async () => {
  const blocks = document.querySelectorAll(".jp-Mermaid > pre.mermaid");
  if (blocks.length && window.mermaid) {
    mermaid.initialize({ startOnLoad: false, theme: "default", securityLevel: "strict" });
    let n = 0;
    for (const pre of blocks) {
      const { svg } = await mermaid.render(`book-mermaid-${n++}`, pre.textContent);
      const host = document.createElement("div");
      host.className = "jp-RenderedMermaid";
      host.innerHTML = svg;
      pre.replaceWith(host);
    }
  }
  const box = document.querySelector("#book-search");
  const results = document.querySelector("#book-results");
  if (!box || !results || !window.BOOK_INDEX) return;
  box.addEventListener("input", () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.replaceChildren();
    if (!words.length) return;
    for (const page of window.BOOK_INDEX) {
      for (const section of page.sections) {
        if (words.every(w => section.text.includes(w))) {
          const a = document.createElement("a");
          a.href = `${page.href}#${section.anchor}`;
          a.textContent = `${page.title}: ${section.heading}`;
          results.appendChild(a);
          if (results.children.length >= 12) return;
        }
      }
    }
  });
});
