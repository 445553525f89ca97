/* A tiny, safe Markdown subset for knowledge-base answers: paragraphs, headings, lists, tables
   and **bold**. Builds DOM nodes with textContent only, so no text can ever become markup. */
"use strict";

window.BatonMarkdown = (function () {
  function inline(parent, text) {
    const parts = text.split(/(\*\*[^*]+\*\*)/);
    for (const part of parts) {
      if (part.startsWith("**") && part.endsWith("**") && part.length > 4) {
        const strong = document.createElement("strong");
        strong.textContent = part.slice(2, -2);
        parent.append(strong);
      } else if (part) {
        parent.append(document.createTextNode(part));
      }
    }
    return parent;
  }

  function cells(line) {
    return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  }

  function table(lines) {
    const node = document.createElement("table");
    // Drop the |---|---| separator row.
    const rows = lines.filter((l) => !/^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(l));
    rows.forEach((line, index) => {
      const tr = document.createElement("tr");
      for (const cell of cells(line)) {
        const td = document.createElement(index === 0 ? "th" : "td");
        if (index === 0) td.scope = "col";
        tr.append(inline(td, cell));
      }
      node.append(tr);
    });
    return node;
  }

  function render(text) {
    const fragment = document.createDocumentFragment();
    for (const block of String(text).split(/\n\s*\n/)) {
      const lines = block.split("\n").filter((l) => l.trim());
      if (!lines.length) continue;
      if (lines.every((l) => l.trim().startsWith("|"))) {
        fragment.append(table(lines));
      } else if (lines.every((l) => /^\s*([-*]|\d+\.)\s+/.test(l))) {
        const ordered = /^\s*\d+\./.test(lines[0]);
        const list = document.createElement(ordered ? "ol" : "ul");
        for (const l of lines) list.append(inline(document.createElement("li"), l.replace(/^\s*([-*]|\d+\.)\s+/, "")));
        fragment.append(list);
      } else {
        const p = document.createElement("p");
        lines.forEach((line, i) => {
          const heading = /^#{1,6}\s+/.test(line);
          if (i) p.append(document.createElement("br"));
          if (heading) {
            const strong = document.createElement("strong");
            strong.textContent = line.replace(/^#{1,6}\s+/, "");
            p.append(strong);
          } else inline(p, line);
        });
        fragment.append(p);
      }
    }
    return fragment;
  }

  return { render };
})();
