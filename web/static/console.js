// The console's only script of its own: live updates from the event socket, confirmations,
// and the voice preview. htmx does the rest (fragments re-fetched on the events below).
(function () {
  "use strict";
  var body = document.body;
  var dot = document.getElementById("live");

  // Every event the signed-in user may see fires "yt-event" on <body>, and
  // "yt-video-<id>" when it is about one video: fragments listen with hx-trigger.
  function connect(delay) {
    if (!body.dataset.live || !window.WebSocket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/api/v1/events");
    socket.onopen = function () { delay = 1000; if (dot) dot.className = "live-dot on"; };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type !== "event") return;
      htmx.trigger(body, "yt-event", event);
      if (event.video_id) htmx.trigger(body, "yt-video-" + event.video_id, event);
    };
    socket.onclose = function () {
      if (dot) dot.className = "live-dot off";
      setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay);
    };
  }

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-preview]");
    if (!button) return;
    var select = document.getElementById(button.getAttribute("data-voice-select"));
    var player = document.getElementById("voice-preview");
    player.hidden = false;
    player.src = button.getAttribute("data-preview") + "?voice=" + encodeURIComponent(select.value);
    player.play();
  });

  document.addEventListener("DOMContentLoaded", function () { connect(1000); });
})();
