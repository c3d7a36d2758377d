/* The allocation board (/console/fairs/{id}/board): pick a business in the list, then click a
 * stall on the map (or press Enter on it), or drag the business onto the stall. Either way the
 * board's own "place" form is filled in and submitted through htmx, and the board comes back
 * from the server as it now is. Refusals (409, 422) come back as a board too, with the reason:
 * htmx is told to show them rather than drop them. */
(function () {
  "use strict";
  var picked = null;

  function board() { return document.getElementById("board"); }

  function pick(applicationId) {
    picked = applicationId;
    var name = "";
    document.querySelectorAll("#board .pick").forEach(function (button) {
      var on = button.dataset.application === applicationId;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) { name = button.textContent.trim(); }
    });
    var note = document.getElementById("board-picked");
    if (note && board()) { note.textContent = board().dataset.pickedText.replace("{name}", name); }
  }

  function place(applicationId, code) {
    var form = document.getElementById("place");
    if (!form) { return; }
    form.querySelector("[name=application_id]").value = applicationId;
    form.querySelector("[name=stall_code]").value = code;
    form.requestSubmit();
  }

  function stallOf(target) {
    return target instanceof Element ? target.closest("#board g.stall[tabindex]") : null;
  }

  function choose(stall) {
    if (picked) {
      place(picked, stall.dataset.code);
    } else if (stall.dataset.application) {
      pick(stall.dataset.application);  // a taken stall picks its business: then click another
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var button = target && target.closest("#board .pick");
    if (button) {
      pick(button.getAttribute("aria-pressed") === "true" ? null : button.dataset.application);
      return;
    }
    var stall = stallOf(target);
    if (stall) { choose(stall); }
  });

  document.addEventListener("keydown", function (event) {
    var stall = stallOf(event.target);
    if (stall && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      choose(stall);
    }
  });

  document.addEventListener("dragstart", function (event) {
    var row = event.target instanceof Element ? event.target.closest("#board [draggable=true]") : null;
    if (!row) { return; }
    event.dataTransfer.setData("text/plain", row.dataset.application);
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", function (event) {
    var stall = stallOf(event.target);
    if (stall) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      stall.classList.add("drop-target");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var stall = stallOf(event.target);
    if (stall) { stall.classList.remove("drop-target"); }
  });

  document.addEventListener("drop", function (event) {
    var stall = stallOf(event.target);
    if (!stall) { return; }
    event.preventDefault();
    var applicationId = event.dataTransfer.getData("text/plain");
    if (applicationId) { place(applicationId, stall.dataset.code); }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 404 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function () { picked = null; });
})();
