// The account page: sign up, sign in, your devices. Plain JavaScript served as it is, using keycard/client in
// cookie mode: the tokens stay in HttpOnly cookies this script cannot read.
import { createKeycardClient, describeError } from './client/index.js';

const client = createKeycardClient({ transport: 'cookie' });
const $ = (id) => document.getElementById(id);

const views = { loading: $('loading'), signedOut: $('signed-out'), signedIn: $('signed-in') };
const notice = $('notice');
const who = $('who');

function show(view) {
  for (const [name, element] of Object.entries(views)) element.hidden = name !== view;
  who.hidden = view !== 'signedIn';
}

/** Tells the person something; errors in red, confirmations in green. Announced by screen readers. */
function say(text, kind = 'error') {
  notice.textContent = text;
  notice.className = kind === 'ok' ? 'ok' : '';
  notice.hidden = text === '';
}

function when(iso) {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = new Date(iso).toLocaleString();
  return time;
}

function deviceName(session) {
  const { browser, os } = session.device;
  if (browser !== null && os !== null) return `${browser} on ${os}`;
  return browser ?? os ?? 'Unknown device';
}

function renderDevices(sessions) {
  const body = $('devices').querySelector('tbody');
  body.replaceChildren();
  for (const session of sessions) {
    const row = document.createElement('tr');
    row.dataset.session = session.uuid;
    if (session.current) row.classList.add('current');

    const device = document.createElement('td');
    const name = document.createElement('span');
    name.textContent = deviceName(session);
    device.append(name);
    if (session.current) {
      const mark = document.createElement('span');
      mark.className = 'this-device';
      mark.textContent = '(this device)';
      device.append(mark);
    }
    if (session.user_agent !== null) {
      const agent = document.createElement('span');
      agent.className = 'user-agent';
      agent.textContent = session.user_agent;
      device.append(agent);
    }

    const version = document.createElement('td');
    version.textContent = session.api_version;
    const created = document.createElement('td');
    created.append(when(session.created_at));
    const active = document.createElement('td');
    active.append(when(session.updated_at));

    const action = document.createElement('td');
    if (!session.current) {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'danger';
      revoke.textContent = 'Sign out';
      revoke.setAttribute('aria-label', `Sign out ${deviceName(session)}, signed in ${created.textContent}`);
      revoke.addEventListener('click', () =>
        act(revoke, async () => {
          await client.revokeSession(session.uuid);
          await loadDevices();
          say(`${deviceName(session)} was signed out.`, 'ok');
        }),
      );
      action.append(revoke);
    }
    row.append(device, version, created, active, action);
    body.append(row);
  }
}

async function loadDevices() {
  renderDevices(await client.listSessions());
}

async function showAccount() {
  const { user } = await client.me();
  who.textContent = `Signed in as ${user.email}`;
  await loadDevices();
  show('signedIn');
}

/** Runs an action with its button disabled; any error becomes a sentence in the notice. */
async function act(button, action) {
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    say(describeError(error));
  } finally {
    button.disabled = false;
  }
}

client.onSignedOut((error) => {
  const wasSignedIn = !views.signedIn.hidden;
  show('signedOut');
  if (error === undefined) say('You signed out.', 'ok');
  // No cookie on a first visit is not news; losing it while signed in (it expired) is.
  else if (error.code !== 'token_missing' || wasSignedIn) say(describeError(error));
  // Focus follows the view only when it changed under the person; a first visit keeps the page's own order.
  if (wasSignedIn) $('sign-in-email').focus();
});

function credentialsOf(form) {
  const data = new FormData(form);
  return {
    email: String(data.get('email') ?? '').trim(),
    password: String(data.get('password') ?? ''),
    remember: data.get('remember') === 'on',
  };
}

for (const [formId, start] of [
  ['sign-in-form', (credentials) => client.signIn(credentials)],
  ['sign-up-form', (credentials) => client.signUp(credentials)],
]) {
  const form = $(formId);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const credentials = credentialsOf(form);
    if (credentials.email === '' || credentials.password === '') {
      say('Please enter your email and password.');
      return;
    }
    void act(form.querySelector('button'), async () => {
      await start(credentials);
      form.reset();
      say('');
      await showAccount();
      $('devices-title').focus();
    });
  });
}

$('devices-title').tabIndex = -1;
$('reload-devices').addEventListener('click', (event) => act(event.currentTarget, loadDevices));
$('revoke-others').addEventListener('click', (event) =>
  act(event.currentTarget, async () => {
    await client.revokeOtherSessions();
    await loadDevices();
    say('All your other devices were signed out.', 'ok');
  }),
);
$('sign-out').addEventListener('click', (event) => act(event.currentTarget, () => client.signOut()));

// Changing the password asks for the current one first (the step-up); the other devices are signed out unless
// the person unticks the box. This session carries on: its next request refreshes its tokens by itself.
const passwordForm = $('password-form');
passwordForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(passwordForm);
  const currentPassword = String(data.get('current') ?? '');
  const newPassword = String(data.get('new') ?? '');
  if (currentPassword === '' || newPassword === '') {
    say('Please enter your current password and a new one.');
    return;
  }
  const keepOtherSessions = data.get('signOutOthers') !== 'on';
  void act(passwordForm.querySelector('button'), async () => {
    await client.changePassword({ currentPassword, newPassword, keepOtherSessions });
    passwordForm.reset();
    await loadDevices();
    say(
      keepOtherSessions
        ? 'Your password was changed.'
        : 'Your password was changed, and your other devices were signed out.',
      'ok',
    );
  });
});

try {
  await showAccount();
} catch (error) {
  show('signedOut');
  if (error.code !== 'token_missing') say(describeError(error));
}
