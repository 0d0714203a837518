// Login: name and password; wrong credentials and rate limiting (429) explained.

import { api, ApiError } from '../api';
import { field, h, setFieldError } from '../dom';
import { navigate, type Ctx } from '../router';
import { setSession } from '../session';
import { errorText, messageBox } from '../ui';

export function loginPage(ctx: Ctx): void {
  ctx.title('Log in');
  const next = ctx.query.get('next');
  const nameIn = h('input', { type: 'text', id: 'login-name', name: 'username', autocomplete: 'username', testid: 'login-name', required: true, autocapitalize: 'none', spellcheck: false });
  const passIn = h('input', { type: 'password', id: 'login-password', name: 'password', autocomplete: 'current-password', testid: 'login-password', required: true });
  const fName = field('Name', nameIn, { testid: 'login-name' });
  const fPass = field('Password', passIn, { testid: 'login-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'login-submit' }, 'Log in');
  const msg = messageBox('login-error');
  let timer: ReturnType<typeof setInterval> | undefined;
  ctx.onCleanup(() => clearInterval(timer));

  const form = h(
    'form',
    { class: 'form card login', novalidate: true, testid: 'login-form', 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h', tabindex: '-1' }, 'Log in to Chollima'),
    ctx.query.get('expired') ? h('p', { class: 'msg msg-info', role: 'status' }, 'Your session has ended. Please log in again.') : null,
    fName.wrap,
    fPass.wrap,
    h('div', { class: 'actions' }, submit),
    msg,
  );

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.hide();
    const name = nameIn.value.trim();
    const password = passIn.value;
    setFieldError(fName, name ? null : 'Enter your name.');
    setFieldError(fPass, password ? null : 'Enter your password.');
    if (!name) return nameIn.focus();
    if (!password) return passIn.focus();
    submit.disabled = true;
    submit.textContent = 'Logging in…';
    try {
      const s = await api.login(name, password);
      setSession(s);
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      return;
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        let left = e.retryAfter ?? 30;
        const say = () => msg.show('error', `Too many attempts. Try again in ${left} s.`);
        say();
        clearInterval(timer);
        timer = setInterval(() => {
          left -= 1;
          if (left <= 0) {
            clearInterval(timer);
            msg.show('info', 'You can try again now.');
            submit.disabled = false;
          } else say();
        }, 1000);
        submit.textContent = 'Log in';
        return; // stays disabled until the wait is over
      }
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        msg.show('error', `Wrong name or password. ${e.message && !/password/i.test(e.message) ? e.message : ''}`.trim());
        passIn.select();
        passIn.focus();
      } else {
        msg.show('error', errorText(e));
      }
    }
    submit.disabled = false;
    submit.textContent = 'Log in';
  });

  ctx.main.append(h('div', { class: 'page page-login', testid: 'page-login' }, form));
  requestAnimationFrame(() => nameIn.focus());
}
