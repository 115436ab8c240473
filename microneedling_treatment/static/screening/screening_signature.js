/* The drawn signature of the public screening form: a plain canvas whose PNG goes in a
 * hidden field on submit. Plain script (outside static/src): the page needs no Odoo
 * framework, and the form works without it. */
(function () {
    "use strict";

    function setup(pad) {
        const form = pad.closest("form");
        const field = form.querySelector(".o_mn_signature_value");
        const ctx = pad.getContext("2d");
        let drawing = false;
        let drawn = false;

        function resize() {
            const ratio = window.devicePixelRatio || 1;
            pad.width = pad.clientWidth * ratio;
            pad.height = 160 * ratio;
            ctx.scale(ratio, ratio);
            ctx.lineWidth = 2;
            ctx.lineCap = "round";
            drawn = false;
        }
        function point(ev) {
            const rect = pad.getBoundingClientRect();
            return [ev.clientX - rect.left, ev.clientY - rect.top];
        }
        pad.style.touchAction = "none";
        pad.addEventListener("pointerdown", (ev) => {
            drawing = true;
            ctx.beginPath();
            ctx.moveTo(...point(ev));
        });
        pad.addEventListener("pointermove", (ev) => {
            if (drawing) {
                ctx.lineTo(...point(ev));
                ctx.stroke();
                drawn = true;
            }
        });
        ["pointerup", "pointerleave", "pointercancel"].forEach((name) =>
            pad.addEventListener(name, () => {
                drawing = false;
            })
        );
        form.querySelector(".o_mn_signature_clear").addEventListener("click", () => {
            ctx.clearRect(0, 0, pad.width, pad.height);
            drawn = false;
        });
        form.addEventListener("submit", () => {
            field.value = drawn ? pad.toDataURL("image/png") : "";
        });
        resize();
    }

    function start() {
        document.querySelectorAll(".o_mn_signature_pad").forEach(setup);
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
