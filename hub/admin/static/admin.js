// Keep the browser's time zone in a cookie, so the pages show times in the user's own zone.
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && document.cookie.indexOf("tz=" + zone) === -1) {
    document.cookie = "tz=" + zone + "; path=/; SameSite=Lax; max-age=31536000";
  }
})();
