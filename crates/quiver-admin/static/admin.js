/* Quiver admin: progressive enhancements only. Plain ES2017, no dependencies.
 * Every page works without this file; it adds select-all on change lists,
 * the autocomplete combobox and the JSON editor helpers. */
(function () {
  'use strict';

  /* ---- 1. Change list: select all, counter, row highlight ---- */
  function initActions() {
    const form = document.getElementById('changelist-form');
    if (!form) return;
    const boxes = Array.from(form.querySelectorAll('input.action-select'));
    if (!boxes.length) return;
    const toggle = document.getElementById('action-toggle');
    const counter = form.querySelector('.action-counter');
    let lastClicked = null;

    function update() {
      const checked = boxes.filter((box) => box.checked).length;
      boxes.forEach((box) => {
        const row = box.closest('tr');
        if (row) row.classList.toggle('selected', box.checked);
      });
      if (counter) counter.textContent = checked + ' of ' + boxes.length + ' selected';
      if (toggle) {
        toggle.checked = checked === boxes.length;
        toggle.indeterminate = checked > 0 && checked < boxes.length;
      }
    }

    if (toggle) {
      toggle.addEventListener('change', () => {
        boxes.forEach((box) => { box.checked = toggle.checked; });
        update();
      });
    }

    // Clicks (and Space) on a row box; Shift+click selects a range of rows.
    form.addEventListener('click', (event) => {
      const box = event.target;
      if (!box.classList || !box.classList.contains('action-select')) return;
      if (event.shiftKey && lastClicked && lastClicked !== box) {
        const a = boxes.indexOf(lastClicked);
        const b = boxes.indexOf(box);
        for (let i = Math.min(a, b); i <= Math.max(a, b); i++) boxes[i].checked = box.checked;
      }
      lastClicked = box;
      update();
    });

    // Browsers may restore checked boxes on back navigation: sync at start.
    update();
  }

  /* ---- 2. Autocomplete combobox (text input + hidden value + listbox) ---- */
  function initAutocomplete(input) {
    const wrapper = input.parentElement;
    const hidden = wrapper.querySelector('input[type="hidden"]');
    if (!hidden) return;
    let list = document.getElementById(input.getAttribute('aria-controls') || '');
    if (!list) {
      list = document.createElement('ul');
      list.id = input.id + '_listbox';
      list.className = 'autocomplete-results';
      list.setAttribute('role', 'listbox');
      list.hidden = true;
      wrapper.appendChild(list);
      input.setAttribute('aria-controls', list.id);
    }
    // Polite live region announcing how many suggestions there are.
    const status = document.createElement('span');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    wrapper.appendChild(status);

    const url = input.dataset.url;
    let items = [];
    let active = -1;
    let timer = null;
    let requestId = 0;
    let chosen = { id: hidden.value, text: input.value };

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }

    function setActive(index) {
      const options = list.querySelectorAll('[role="option"]');
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach((option, i) => option.setAttribute('aria-selected', String(i === active)));
      input.setAttribute('aria-activedescendant', options[active].id);
      options[active].scrollIntoView({ block: 'nearest' });
    }

    function choose(index) {
      const item = items[index];
      if (!item) return;
      chosen = { id: String(item.id), text: String(item.text) };
      hidden.value = chosen.id;
      input.value = chosen.text;
      hidden.dispatchEvent(new Event('change', { bubbles: true }));
      close();
    }

    function restore() {
      input.value = chosen.text;
      hidden.value = chosen.id;
    }

    function render(results) {
      items = results;
      list.textContent = '';
      results.forEach((result, i) => {
        const option = document.createElement('li');
        option.id = list.id + '_option' + i;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.textContent = result.text;
        // mousedown (not click) so the input does not blur before the choice.
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute('aria-activedescendant');
      if (results.length) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
        status.textContent = results.length + (results.length === 1 ? ' result' : ' results') + ' available';
      } else {
        close();
        status.textContent = 'No results found';
      }
    }

    async function search(term) {
      const id = ++requestId;
      const sep = url.indexOf('?') === -1 ? '?' : '&';
      try {
        const response = await fetch(url + sep + 'term=' + encodeURIComponent(term), {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        });
        if (!response.ok) throw new Error('HTTP ' + response.status);
        const data = await response.json();
        if (id === requestId) render(Array.isArray(data.results) ? data.results : []);
      } catch (err) {
        if (id === requestId) {
          close();
          status.textContent = 'Suggestions could not be loaded';
        }
      }
    }

    input.addEventListener('input', () => {
      hidden.value = ''; // the typed text no longer names a chosen object
      clearTimeout(timer);
      const term = input.value.trim();
      if (!term) {
        chosen = { id: '', text: '' }; // emptying the box clears the relation
        requestId++;
        close();
        return;
      }
      timer = setTimeout(() => search(term), 200);
    });

    input.addEventListener('keydown', (event) => {
      const open = !list.hidden;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (!open) { search(input.value.trim()); return; }
        if (event.key === 'ArrowDown') setActive(active + 1);
        else setActive(active <= 0 ? -1 : active - 1);
      } else if (event.key === 'Enter' && open) {
        event.preventDefault(); // do not submit the form while choosing
        if (active >= 0) choose(active);
      } else if (event.key === 'Escape') {
        if (open) { event.preventDefault(); close(); } else { restore(); }
      }
    });

    input.addEventListener('blur', () => {
      clearTimeout(timer);
      requestId++; // ignore answers that arrive after leaving the field
      close();
      // Text typed without picking a suggestion falls back to the last choice.
      if (input.value.trim() && hidden.value === '') restore();
    });
  }

  /* ---- 3. JSON editor: live validation and a Format button ---- */
  function initJsonEditor(area) {
    const box = area.parentElement;
    let error = box.querySelector('.json-error');
    if (!error) {
      error = document.createElement('div');
      error.className = 'json-error';
      error.setAttribute('role', 'alert');
      area.insertAdjacentElement('afterend', error);
    }
    let button = box.querySelector('.json-format');
    if (!button) {
      button = document.createElement('button');
      button.type = 'button';
      button.className = 'json-format';
      button.textContent = 'Format';
      error.insertAdjacentElement('afterend', button);
    }
    button.hidden = false;
    const serverInvalid = area.getAttribute('aria-invalid') === 'true';

    function validate() {
      let message = '';
      if (area.value.trim()) {
        try { JSON.parse(area.value); } catch (err) { message = 'Invalid JSON: ' + err.message; }
      }
      // Only touch the alert when its text changes, to limit announcements.
      if (error.textContent !== message) error.textContent = message;
      if (message || serverInvalid) area.setAttribute('aria-invalid', 'true');
      else area.removeAttribute('aria-invalid');
      return !message;
    }

    area.addEventListener('input', validate);
    button.addEventListener('click', () => {
      if (!validate() || !area.value.trim()) return;
      area.value = JSON.stringify(JSON.parse(area.value), null, 2);
    });
    if (area.value.trim()) validate();
  }

  function init() {
    initActions();
    document.querySelectorAll('input.autocomplete[data-url]').forEach(initAutocomplete);
    document.querySelectorAll('textarea.json-editor').forEach(initJsonEditor);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
