// Passkeys (WebAuthn), as progressive enhancement: the login page's «Se connecter avec une clé d'accès» (and the
// keys offered in the identifiant field's suggestions where the browser can), and «Ajouter une clé d'accès» in
// «Mon compte». Both stay hidden unless this browser has WebAuthn; without scripts the password is the way in.
// The server speaks JSON with base64url fields; navigator.credentials wants bytes: the conversions are here.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBytes(text) {
    var b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    var bin = atob(b64 + '===='.slice(b64.length % 4 || 4));
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return undefined;
    var bytes = new Uint8Array(buffer);
    var bin = '';
    for (var i = 0; i < bytes.length; i += 1) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function withIds(list) {
    return (list || []).map(function (c) { return { type: c.type, id: toBytes(c.id), transports: c.transports }; });
  }

  function creationOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    o.excludeCredentials = withIds(json.excludeCredentials);
    return o;
  }

  function requestOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.allowCredentials = withIds(json.allowCredentials);
    return o;
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    };
  }

  function registrationJSON(credential) {
    var r = credential.response;
    var json = common(credential);
    json.response = {
      clientDataJSON: toText(r.clientDataJSON),
      attestationObject: toText(r.attestationObject),
      transports: r.getTransports ? r.getTransports() : [],
    };
    return json;
  }

  function authenticationJSON(credential) {
    var r = credential.response;
    var json = common(credential);
    json.response = {
      clientDataJSON: toText(r.clientDataJSON),
      authenticatorData: toText(r.authenticatorData),
      signature: toText(r.signature),
      userHandle: toText(r.userHandle),
    };
    return json;
  }

  /** POSTs a form (the page's CSRF token included) and reads the JSON answer; a refusal rejects with its body. */
  function post(url, fields) {
    var csrf = document.querySelector('input[name="_csrf"]');
    var body = new URLSearchParams(Object.assign({ _csrf: csrf ? csrf.value : '' }, fields));
    return fetch(url, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) throw json;
          return json;
        });
      });
  }

  /**
   * The sentence for a failure: the server's own (in the page's language already), or one the page holds in its
   * data-message-* attributes for the browser's refusals. The script holds no text, so it speaks every language.
   */
  function messageFor(box, error) {
    if (error && typeof error.message === 'string' && typeof error.error === 'string') return error.message;
    if (error && (error.name === 'NotAllowedError' || error.name === 'AbortError')) return box.getAttribute('data-message-cancelled');
    if (error && error.name === 'InvalidStateError' && box.hasAttribute('data-message-duplicate')) return box.getAttribute('data-message-duplicate');
    return box.getAttribute('data-message-failed');
  }

  function say(box, text) {
    var message = box.querySelector('[data-passkey-message]');
    if (!message) return;
    message.textContent = text;
    message.hidden = !text;
  }

  // The login page.
  var signIn = document.querySelector('[data-passkey-signin]');
  if (signIn) {
    signIn.hidden = false;
    var pending = null;
    var start = function (conditional) {
      // One request at a time: the button replaces the suggestions' request (and the server's challenge).
      if (pending) pending.abort();
      var mine = new AbortController();
      pending = mine;
      if (!conditional) say(signIn, '');
      return post(signIn.getAttribute('data-options'), {})
        .then(function (options) {
          var request = { publicKey: requestOptions(options), signal: mine.signal };
          if (conditional) request.mediation = 'conditional';
          return navigator.credentials.get(request);
        })
        .then(function (credential) {
          if (!credential) return undefined;
          var remember = document.getElementById('remember');
          return post(signIn.getAttribute('data-verify'), {
            credential: JSON.stringify(authenticationJSON(credential)),
            remember: remember && remember.checked ? 'oui' : '',
          }).then(function (answer) {
            window.location.assign(answer.location);
          });
        })
        .catch(function (error) {
          if (mine.signal.aborted) return;
          // The suggestions' request ends quietly when the person does nothing; a refusal from the server is said.
          var refused = error && typeof error.error === 'string';
          if (!conditional || refused) say(signIn, messageFor(signIn, error));
          // A challenge that expired while the page stayed open: the suggestions are offered again. After a
          // refusal they are not (the same key would be refused again); the button stays.
          if (conditional && refused && error.error === 'passkey_expired') armSuggestions();
        });
    };
    var armSuggestions = function () {
      if (!PublicKeyCredential.isConditionalMediationAvailable) return;
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        if (available) start(true);
      }, function () {});
    };
    signIn.querySelector('[data-passkey-button]').addEventListener('click', function () {
      start(false);
    });
    armSuggestions();
  }

  // «Mon compte» → «Mes clés d'accès».
  var register = document.querySelector('[data-passkey-register]');
  if (register) {
    register.hidden = false;
    var unavailable = document.querySelector('[data-passkey-unavailable]');
    if (unavailable) unavailable.hidden = true;
    register.addEventListener('submit', function (event) {
      event.preventDefault();
      say(register, '');
      var name = register.querySelector('input[name="passkey-name"]');
      var current = register.querySelector('input[name="current_password"]');
      post(register.getAttribute('data-options'), current ? { current_password: current.value } : {})
        .then(function (options) {
          return navigator.credentials.create({ publicKey: creationOptions(options) });
        })
        .then(function (credential) {
          return post(register.getAttribute('action'), {
            credential: JSON.stringify(registrationJSON(credential)),
            name: name ? name.value : '',
          });
        })
        .then(function (answer) {
          window.location.assign(answer.location);
        })
        .catch(function (error) {
          say(register, messageFor(register, error));
        });
    });
  }
})();
