// Autocomplete for search boxes marked data-suggest: a progressive enhancement (the form works without it).
// Follows the ARIA combobox pattern: arrow keys move through the list, Enter opens the chosen item, Escape closes.
(function () {
  "use strict";
  var counter = 0;

  function attach(input) {
    var list = document.createElement("ul");
    var listId = "suggestions-" + (++counter);
    var items = [];
    var active = -1;
    var timer = null;
    var lastQuery = "";
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "搜索建议");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", listId + "-" + index);
    }

    function open(index) {
      window.location.href = "/search/go?q=" + encodeURIComponent(input.value) + "&id=" + items[index].id;
    }

    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = item.title;  // text, never HTML: titles come from staff input
        li.addEventListener("mousedown", function (event) { event.preventDefault(); open(i); });
        list.appendChild(li);
      });
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (!query) { close(); return; }
      fetch("/api/v1/suggest?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (input.value.trim() === query) show(body.items || []); })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { highlight((active + 1) % items.length); event.preventDefault(); }
      else if (event.key === "ArrowUp") { highlight(active <= 0 ? items.length - 1 : active - 1); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { open(active); event.preventDefault(); }
      else if (event.key === "Escape") { close(); event.preventDefault(); }  // keep what was typed
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), attach);
})();
