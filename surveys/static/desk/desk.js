// The desk's keyboard and small behaviours. No inline script anywhere: pages mark what a key does.
//   data-key="c"            a button or link the key presses (the decision buttons, j/k links, u undo)
//   data-focus-key="n"      a field the key focuses
//   [data-list] [data-item] rows j/k move through; inside the selected one,
//   data-item-key="a"       is pressed and data-item-focus-key="r" focused by its key
//   data-expires-in="10"    an offer (undo) that disappears after that many seconds
//   data-job-url            an export job row that follows its progress until it is done
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function visible(element) {
    return element && element.offsetParent !== null;
  }

  function press(element) {
    if (element.form && element.tagName === "BUTTON") {
      // requestSubmit keeps the pressed button's name=value (the decision) in the POST.
      element.form.requestSubmit(element);
    } else {
      element.click();
    }
  }

  // --- Lists: j/k select a row, its own keys act on it --------------------------------
  var list = document.querySelector("[data-list]");
  var items = list ? Array.prototype.slice.call(list.querySelectorAll("[data-item]")) : [];
  var selected = -1;

  function select(index) {
    if (!items.length) return;
    selected = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle("selected", i === selected); });
    items[selected].scrollIntoView({ block: "nearest" });
  }

  function inSelected(selector) {
    return selected >= 0 ? items[selected].querySelector(selector) : null;
  }

  // --- The keys list ------------------------------------------------------------------
  var keysDialog = document.getElementById("keys");

  function toggleKeys() {
    if (!keysDialog) return;
    if (keysDialog.open) keysDialog.close(); else keysDialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (typing(event.target)) return;
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === "?") {
      event.preventDefault();
      toggleKeys();
      return;
    }
    if (keysDialog && keysDialog.open) return;
    if (items.length && (key === "j" || key === "k")) {
      event.preventDefault();
      select(selected < 0 ? 0 : selected + (key === "j" ? 1 : -1));
      return;
    }
    if (items.length && key === "Enter" && selected >= 0) {
      var open = inSelected('[data-item-key="o"]');
      if (open) { event.preventDefault(); press(open); }
      return;
    }
    var target = inSelected('[data-item-key="' + key + '"]');
    if (target) {
      event.preventDefault();
      press(target);
      return;
    }
    var field = inSelected('[data-item-focus-key="' + key + '"]') ||
      document.querySelector('[data-focus-key="' + key + '"]');
    if (field) {
      event.preventDefault();
      field.focus();
      return;
    }
    var buttons = document.querySelectorAll('[data-key="' + key + '"]');
    for (var i = 0; i < buttons.length; i++) {
      if (visible(buttons[i])) {
        event.preventDefault();
        press(buttons[i]);
        return;
      }
    }
  });

  document.querySelectorAll('button[data-key="?"]').forEach(function (button) {
    button.addEventListener("click", function () { toggleKeys(); });
  });

  // --- Header menu on a phone -----------------------------------------------------------
  var menu = document.querySelector(".menu-button");
  if (menu) {
    menu.addEventListener("click", function () {
      var header = menu.closest(".top");
      var open = header.classList.toggle("open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // --- Offers that expire (undo), messages that fade ---------------------------------------
  document.querySelectorAll("[data-expires-in]").forEach(function (offer) {
    var left = parseInt(offer.getAttribute("data-expires-in"), 10) || 0;
    var counter = offer.querySelector("[data-countdown]");
    var timer = setInterval(function () {
      left -= 1;
      if (counter) counter.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        clearInterval(timer);
        offer.remove();
      }
    }, 1000);
  });
  document.querySelectorAll(".toast.success, .toast.info").forEach(function (toast) {
    setTimeout(function () { toast.classList.add("gone"); }, 6000);
  });

  // --- Bulk selection in the queue ----------------------------------------------------------
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var form = all.form;
    var name = all.getAttribute("data-select-all");
    var count = form.querySelector("[data-selected-count]");
    function boxes() { return form.querySelectorAll('input[type=checkbox][name="' + name + '"]'); }
    function update() {
      var n = 0;
      boxes().forEach(function (box) { if (box.checked) n += 1; });
      if (count) count.textContent = String(n);
    }
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      update();
    });
    form.addEventListener("change", update);
    update();
  });

  // --- Export jobs follow their progress --------------------------------------------------
  var running = document.querySelectorAll('[data-job-url][data-status="pending"], [data-job-url][data-status="running"]');
  running.forEach(function (row) {
    var url = row.getAttribute("data-job-url");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) return;
          if (job.status !== "pending" && job.status !== "running") {
            window.location.reload();  // the page says it in the reader's language
            return;
          }
          var progress = row.querySelector("[data-job-progress]");
          if (progress) progress.value = job.progress;
          var rows = row.querySelector("[data-job-rows]");
          if (rows) rows.textContent = Number(job.rows).toLocaleString(document.documentElement.lang);
          setTimeout(poll, 2000);
        });
    }
    setTimeout(poll, 1000);
  });
})();
