"use strict";
(function () {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch("/api/v1/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Requested-With": "baton" },
        body: JSON.stringify({ email: form.email.value.trim(), password: form.password.value }),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => null);
        const code = data && data.error && data.error.code;
        throw new Error(code === "bad_credentials" || response.status === 422
          ? "That email and password do not match. Check them and try again."
          : (data && data.error && data.error.message) || "Could not log in.");
      }
      window.location.href = form.dataset.next || "/console";
    } catch (problem) {
      error.textContent = problem.message;
      error.hidden = false;
      form.password.focus();
    } finally {
      button.disabled = false;
    }
  });
})();
