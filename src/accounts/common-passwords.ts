// A short list of passwords seen most often in French and international leaks; refused whatever the length.
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456', '123456789', '12345678', 'password', 'motdepasse', 'azerty', 'azertyuiop', 'qwerty', '000000',
  '111111', '123123', '1234567890', 'azerty123', 'azerty1234', 'password1', 'password123', 'motdepasse1',
  'motdepasse123', 'soleil', 'soleil123', 'bonjour', 'bonjour123', 'loulou', 'doudou', 'chouchou',
  'marseille', 'marseille13', 'paris', 'paris75', 'football', 'football1', 'iloveyou', 'jetaime',
  'jetaime123', 'nicolas', 'camille', 'julien', 'thomas', 'marine', 'chocolat', 'princesse', 'coucou',
  'coucou123', 'abc123', 'abcdef', 'qwerty123', 'azertyui', '1q2w3e4r', '1qaz2wsx', 'admin', 'admin123',
  'administrateur', 'welcome', 'welcome1', 'bienvenue', 'bienvenue1', 'letmein', 'monkey', 'dragon',
  'sunshine', 'master', 'hello', 'hello123', 'freedom', 'whatever', 'trustno1', 'baseball', 'superman',
  'batman', 'starwars', 'pokemon', 'minecraft', 'fortnite', 'sesame', 'sesame123', 'educonnect',
  'educonnect1', 'ecole', 'ecole123', 'college', 'lycee', 'enfant', 'enfants', 'famille', 'famille123',
  'motdepasse2024', 'motdepasse2025', 'motdepasse2026', 'azerty2024', 'azerty2025', 'azerty2026',
  'password2024', 'password2025', 'password2026', '1234567891', '0123456789', '987654321', '123321', '654321',
  '555555', '666666', '777777', '888888', '999999', '121212', '112233', 'aaaaaa', 'qwertyuiop', 'asdfghjkl',
  'zxcvbnm', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'mdp123', 'mdp1234', 'test1234', 'test123', 'toto',
  'toto1234', '12345678910', 'azertyuiop123', 'chouchou123', 'doudou123', 'loulou123', 'maman', 'papa',
  'maman123', 'papa123', 'mamanpapa',
]);
