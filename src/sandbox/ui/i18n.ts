// Registry UI strings in English, Spanish and French (`lang` parameter, SPEC 3.2).

const en = {
  signIn: 'Sign in',
  signInTitle: 'Sign in to ORCID',
  emailOrId: 'Email or ORCID iD',
  password: 'Password',
  register: 'Register for an ORCID iD',
  registerTitle: 'Create your ORCID iD',
  givenNames: 'Given names',
  familyNames: 'Family names',
  email: 'Email',
  badLogin: 'The email, ORCID iD or password is wrong.',
  consentTitle: 'would like to',
  authorize: 'Authorize access',
  deny: 'Deny access',
  consentNote: 'If authorized, this organization will have access to your ORCID record as outlined above.',
  signOut: 'Sign out',
  account: 'Account settings',
  trusted: 'Trusted organizations',
  noTrusted: 'You have not granted any organization access to your record.',
  revoke: 'Revoke access',
  record: 'My ORCID record',
  source: 'Source',
  visibility: 'Visibility',
  delete: 'Delete',
  save: 'Save',
  edit: 'Edit',
  noItems: 'Nothing here yet.',
  errorTitle: 'Oops, an error happened!',
  passwordTooShort: 'The password must have at least 8 characters.',
  emailTaken: 'This email is already registered.',
  required: 'Please fill in every field.',
};

export type Messages = typeof en;

const es: Messages = {
  signIn: 'Iniciar sesión',
  signInTitle: 'Iniciar sesión en ORCID',
  emailOrId: 'Correo electrónico o iD ORCID',
  password: 'Contraseña',
  register: 'Registrarse para obtener un iD ORCID',
  registerTitle: 'Cree su iD ORCID',
  givenNames: 'Nombres',
  familyNames: 'Apellidos',
  email: 'Correo electrónico',
  badLogin: 'El correo, el iD ORCID o la contraseña no son correctos.',
  consentTitle: 'desea',
  authorize: 'Autorizar acceso',
  deny: 'Denegar acceso',
  consentNote: 'Si lo autoriza, esta organización tendrá acceso a su registro ORCID como se indica arriba.',
  signOut: 'Cerrar sesión',
  account: 'Configuración de la cuenta',
  trusted: 'Organizaciones de confianza',
  noTrusted: 'No ha concedido acceso a su registro a ninguna organización.',
  revoke: 'Revocar acceso',
  record: 'Mi registro ORCID',
  source: 'Fuente',
  visibility: 'Visibilidad',
  delete: 'Eliminar',
  save: 'Guardar',
  edit: 'Editar',
  noItems: 'Todavía no hay nada.',
  errorTitle: '¡Vaya, se ha producido un error!',
  passwordTooShort: 'La contraseña debe tener al menos 8 caracteres.',
  emailTaken: 'Este correo ya está registrado.',
  required: 'Rellene todos los campos.',
};

const fr: Messages = {
  signIn: 'Se connecter',
  signInTitle: 'Se connecter à ORCID',
  emailOrId: 'Courriel ou identifiant ORCID',
  password: 'Mot de passe',
  register: 'Obtenir un identifiant ORCID',
  registerTitle: 'Créez votre identifiant ORCID',
  givenNames: 'Prénoms',
  familyNames: 'Noms de famille',
  email: 'Courriel',
  badLogin: "Le courriel, l'identifiant ORCID ou le mot de passe est incorrect.",
  consentTitle: 'souhaite',
  authorize: "Autoriser l'accès",
  deny: "Refuser l'accès",
  consentNote:
    'Si vous autorisez, cette organisation aura accès à votre dossier ORCID comme indiqué ci-dessus.',
  signOut: 'Se déconnecter',
  account: 'Paramètres du compte',
  trusted: 'Organisations de confiance',
  noTrusted: "Vous n'avez donné accès à votre dossier à aucune organisation.",
  revoke: "Révoquer l'accès",
  record: 'Mon dossier ORCID',
  source: 'Source',
  visibility: 'Visibilité',
  delete: 'Supprimer',
  save: 'Enregistrer',
  edit: 'Modifier',
  noItems: "Rien pour l'instant.",
  errorTitle: 'Oups, une erreur est survenue !',
  passwordTooShort: 'Le mot de passe doit comporter au moins 8 caractères.',
  emailTaken: 'Ce courriel est déjà enregistré.',
  required: 'Veuillez remplir tous les champs.',
};

const ALL: Record<string, Messages> = { en, es, fr };

export function pickLang(lang: string | undefined, acceptLanguage: string | undefined): string {
  const wanted = [lang, ...(acceptLanguage ?? '').split(',').map((p) => p.split(';')[0]!.trim())];
  for (const w of wanted) {
    const code = (w ?? '').toLowerCase().slice(0, 2);
    if (code in ALL) return code;
  }
  return 'en';
}

export const messages = (lang: string): Messages => ALL[lang] ?? en;
