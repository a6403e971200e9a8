// narrate's listening page: playing works without this script; it makes chapter and transcript
// links seek the episode's player on the page, keeps one player playing at a time, and says in
// the live region what is playing.
(function () {
  "use strict";
  var live = document.getElementById("now-playing");
  var reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
  var pending = null;

  function announce(text) {
    // A repeated message is still read: clear first, then set on the next frame.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function start(player, seconds) {
    var play = function () {
      var promise = player.play();
      if (promise && promise.catch) { promise.catch(function () { pending = null; }); }
    };
    if (player.readyState >= 1) {
      player.currentTime = seconds;
      play();
    } else {
      // preload="none": nothing is loaded yet; playing loads it, and the seek waits for metadata.
      player.addEventListener("loadedmetadata", function () {
        player.currentTime = seconds;
      }, { once: true });
      play();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.seek[data-player]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    var player = document.getElementById(link.getAttribute("data-player"));
    var seconds = parseFloat(link.getAttribute("data-start"));
    if (!player || isNaN(seconds)) { return; }
    event.preventDefault();
    pending = link.getAttribute("data-announce");
    start(player, seconds);
    announce(pending);
    player.scrollIntoView({ block: "nearest", behavior: reduce.matches ? "auto" : "smooth" });
  });

  document.addEventListener("play", function (event) {
    var player = event.target;
    var players = document.querySelectorAll("audio");
    for (var i = 0; i < players.length; i++) {
      if (players[i] !== player && !players[i].paused) { players[i].pause(); }
    }
    if (pending) {
      pending = null;
    } else {
      announce("يُشغَّل الآن: " + player.getAttribute("aria-label"));
    }
  }, true);
})();
