"use strict";
(function () {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  function show(text, field) {
    error.textContent = text;
    error.hidden = false;
    field.focus();
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    // Say what is missing before asking the server, which could only answer "no match".
    if (!form.email.value.trim()) { show("Enter your work email.", form.email); return; }
    if (!form.password.value) { show("Enter your password.", form.password); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      let response;
      try {
        response = await fetch("/api/v1/auth/login", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-Requested-With": "baton" },
          body: JSON.stringify({ email: form.email.value.trim(), password: form.password.value }),
        });
      } catch (e) {
        throw new Error("Could not reach the server. Check your connection and try again.");
      }
      if (!response.ok) {
        const data = await response.json().catch(() => null);
        const code = data && data.error && data.error.code;
        throw new Error(code === "bad_credentials" || response.status === 422
          ? "That email and password do not match. Check them and try again."
          : (data && data.error && data.error.message) || "Could not log in.");
      }
      window.location.href = form.dataset.next || "/console";
    } catch (problem) {
      show(problem.message, form.password);
    } finally {
      button.disabled = false;
    }
  });
})();
