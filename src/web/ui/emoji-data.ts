/**
 * The emoji the picker offers: about 230 common ones in nine categories, each with a short English
 * name to search by. Kept small on purpose (no emoji database in the bundle); every entry is a
 * single emoji that core's `validateReaction` accepts, so any of them can be a reaction.
 */

/** One emoji and the words it is found by. */
export interface EmojiEntry { readonly emoji: string, readonly name: string }

/** A tab of the picker. */
export interface EmojiCategory { readonly id: string, readonly label: string, readonly icon: string, readonly entries: readonly EmojiEntry[] }

/** "😀 grinning face|😃 smiley" → entries. */
function parse (list: string): EmojiEntry[] {
  return list.split('|').map((item) => {
    const space = item.indexOf(' ')
    return { emoji: item.slice(0, space), name: item.slice(space + 1) }
  })
}

/** The picker's categories, in tab order. */
export const EMOJI_CATEGORIES: readonly EmojiCategory[] = [
  {
    id: 'smileys', label: 'Smileys', icon: '😀', entries: parse(
      '😀 grinning face|😃 smiley|😄 smile|😁 grin|😆 laughing|😅 sweat smile|🤣 rolling on the floor laughing|😂 tears of joy|' +
      '🙂 slightly smiling|🙃 upside down|😉 wink|😊 blush|😇 innocent halo|🥰 smiling with hearts|😍 heart eyes|🤩 star struck|' +
      '😘 kiss|😋 yum|😛 tongue|😜 winking tongue|🤪 zany|🤑 money mouth|🤗 hug|🤭 hand over mouth|🤫 shush|🤔 thinking|' +
      '🤐 zipper mouth|🤨 raised eyebrow|😐 neutral|😑 expressionless|😶 no mouth|😏 smirk|😒 unamused|🙄 eye roll|😬 grimace|' +
      '😌 relieved|😔 pensive|😪 sleepy|😴 sleeping|😷 mask|🤒 thermometer sick|🤢 nauseated|🤮 vomiting|🥵 hot|🥶 cold|' +
      '🥴 woozy|😵 dizzy|🤯 exploding head|🤠 cowboy|🥳 party|😎 sunglasses cool|🤓 nerd|😕 confused|😟 worried|😮 open mouth wow|' +
      '😲 astonished|😳 flushed|🥺 pleading|😢 crying|😭 sobbing|😱 scream|😖 confounded|😞 disappointed|😩 weary|😤 triumph|' +
      '😡 pouting angry|😠 angry|🤬 cursing|😈 smiling devil|💀 skull|💩 poop|🤡 clown|👻 ghost|👽 alien|🤖 robot|' +
      '😺 grinning cat|😻 heart eyes cat|🙈 see no evil monkey|🙉 hear no evil monkey|🙊 speak no evil monkey')
  },
  {
    id: 'people', label: 'People & gestures', icon: '👋', entries: parse(
      '👋 wave hello|🤚 raised back of hand|✋ raised hand|🖖 vulcan salute|👌 ok hand|🤌 pinched fingers|✌️ victory peace|🤞 crossed fingers|' +
      '🤟 love you gesture|🤘 rock on horns|🤙 call me|👈 point left|👉 point right|👆 point up|👇 point down|☝️ index up|' +
      '👍 thumbs up|👎 thumbs down|✊ raised fist|👊 fist bump|👏 clap|🙌 raising hands|👐 open hands|🤲 palms up|🤝 handshake|' +
      '🙏 pray thanks please|✍️ writing|💪 muscle strong|🧠 brain|👀 eyes|👁️ eye|👶 baby|🧒 child|👦 boy|👧 girl|🧑 person|' +
      '👩 woman|👨 man|🧓 older person|🤷 shrug|🙋 raising hand|🙅 no gesture|🙆 ok gesture|🤦 facepalm|💃 dancer|🕺 dancing man|' +
      '🏃 runner|🚶 walking|👪 family|💏 kiss couple')
  },
  {
    id: 'nature', label: 'Animals & nature', icon: '🐶', entries: parse(
      '🐶 dog|🐱 cat|🐭 mouse|🐹 hamster|🐰 rabbit bunny|🦊 fox|🐻 bear|🐼 panda|🐨 koala|🐯 tiger|🦁 lion|🐮 cow|🐷 pig|' +
      '🐸 frog|🐵 monkey|🐔 chicken|🐧 penguin|🐦 bird|🦆 duck|🦉 owl|🦄 unicorn|🐝 bee|🦋 butterfly|🐌 snail|🐢 turtle|' +
      '🐍 snake|🐙 octopus|🐬 dolphin|🐳 whale|🦈 shark|🐘 elephant|🌸 cherry blossom|🌹 rose|🌻 sunflower|🌷 tulip|🌱 seedling|' +
      '🌲 evergreen tree|🌴 palm tree|🍀 four leaf clover|🍁 maple leaf|🍄 mushroom|🌍 globe earth|🌙 moon|⭐ star|🌟 glowing star|' +
      '☀️ sun|🌈 rainbow|☁️ cloud|⛈️ thunderstorm|❄️ snowflake|🔥 fire|💧 droplet|🌊 wave ocean')
  },
  {
    id: 'food', label: 'Food & drink', icon: '🍕', entries: parse(
      '🍎 red apple|🍐 pear|🍊 orange tangerine|🍋 lemon|🍌 banana|🍉 watermelon|🍇 grapes|🍓 strawberry|🍒 cherries|🍑 peach|' +
      '🥭 mango|🍍 pineapple|🥥 coconut|🥑 avocado|🍅 tomato|🥕 carrot|🌽 corn|🌶️ hot pepper|🥦 broccoli|🍞 bread|🥐 croissant|' +
      '🧀 cheese|🥚 egg|🍳 cooking|🥞 pancakes|🥓 bacon|🍔 hamburger|🍟 fries|🍕 pizza|🌭 hot dog|🌮 taco|🌯 burrito|🥗 salad|' +
      '🍝 spaghetti pasta|🍜 ramen noodles|🍣 sushi|🍦 ice cream|🍩 doughnut|🍪 cookie|🎂 birthday cake|🍰 cake|🍫 chocolate|' +
      '🍿 popcorn|☕ coffee|🍵 tea|🍺 beer|🍻 cheers beers|🍷 wine|🥂 toast champagne|🍹 cocktail')
  },
  {
    id: 'activities', label: 'Activities', icon: '⚽', entries: parse(
      '⚽ soccer football|🏀 basketball|🏈 american football|⚾ baseball|🎾 tennis|🏐 volleyball|🏓 ping pong|🏸 badminton|' +
      '⛳ golf|🎣 fishing|🚴 cycling|🏊 swimming|🧘 yoga|🏆 trophy|🥇 gold medal|🎯 bullseye target|🎮 video game|🎲 dice|' +
      '🧩 puzzle|🎨 art palette|🎭 theatre|🎬 movie clapper|🎤 microphone|🎧 headphones|🎸 guitar|🎹 piano|🥁 drum|🎉 party popper tada|' +
      '🎊 confetti|🎈 balloon|🎁 gift present|🎄 christmas tree|🎃 jack o lantern|✨ sparkles')
  },
  {
    id: 'travel', label: 'Travel & places', icon: '✈️', entries: parse(
      '🚗 car|🚕 taxi|🚌 bus|🚑 ambulance|🚒 fire engine|🚲 bicycle|🛴 scooter|🏍️ motorcycle|🚂 locomotive train|🚆 train|' +
      '✈️ airplane|🚀 rocket|🛸 flying saucer|🚁 helicopter|⛵ sailboat|🚢 ship|⚓ anchor|🗺️ world map|🧭 compass|🏔️ mountain|' +
      '🏕️ camping|🏖️ beach|🏝️ island|🏠 house home|🏢 office|🏥 hospital|🏫 school|🏰 castle|🗼 tower|🗽 statue of liberty|⛪ church|🎡 ferris wheel')
  },
  {
    id: 'objects', label: 'Objects', icon: '💡', entries: parse(
      '⌚ watch|📱 phone|💻 laptop|⌨️ keyboard|🖥️ desktop computer|🖨️ printer|📷 camera|📺 television|⏰ alarm clock|⏳ hourglass|' +
      '💡 light bulb idea|🔦 flashlight|🕯️ candle|💸 money flying|💰 money bag|💳 credit card|💎 gem|🔧 wrench|🔨 hammer|🔑 key|' +
      '🔒 lock|🔓 unlocked|🛒 shopping cart|🎒 backpack|👓 glasses|👕 t-shirt|👗 dress|👟 sneaker|👑 crown|💍 ring|📚 books|' +
      '📖 open book|✏️ pencil|📝 memo note|📌 pushpin|📎 paperclip|📅 calendar|📦 package|✉️ envelope|📣 megaphone|🔔 bell|💊 pill')
  },
  {
    id: 'symbols', label: 'Symbols', icon: '❤️', entries: parse(
      '❤️ red heart love|🧡 orange heart|💛 yellow heart|💚 green heart|💙 blue heart|💜 purple heart|🖤 black heart|🤍 white heart|' +
      '💔 broken heart|💕 two hearts|💖 sparkling heart|💯 hundred points|💢 anger|💥 collision boom|💫 dizzy star|💬 speech balloon|' +
      '💭 thought balloon|💤 zzz sleep|✅ check mark done|☑️ ballot check|✔️ heavy check|❌ cross mark|❎ cross button|❓ question|' +
      '❗ exclamation|‼️ double exclamation|⚠️ warning|🚫 prohibited|⛔ no entry|♻️ recycle|🔞 no under eighteen|➕ plus|➖ minus|' +
      '➗ divide|✖️ multiply|♾️ infinity|🔴 red circle|🟢 green circle|🔵 blue circle|⬆️ up arrow|⬇️ down arrow|➡️ right arrow|' +
      '⬅️ left arrow|🔁 repeat|🆗 ok button|🆕 new button|🆒 cool button|🔝 top')
  },
  {
    id: 'flags', label: 'Flags', icon: '🏳️', entries: parse(
      '🏁 chequered flag|🚩 triangular flag|🏳️ white flag|🏴 black flag|🏳️‍🌈 rainbow flag|🇺🇳 united nations|🇪🇺 european union|' +
      '🇺🇸 united states|🇬🇧 united kingdom|🇨🇦 canada|🇲🇽 mexico|🇧🇷 brazil|🇦🇷 argentina|🇫🇷 france|🇩🇪 germany|🇪🇸 spain|' +
      '🇮🇹 italy|🇵🇹 portugal|🇳🇱 netherlands|🇧🇪 belgium|🇨🇭 switzerland|🇦🇹 austria|🇸🇪 sweden|🇳🇴 norway|🇩🇰 denmark|' +
      '🇫🇮 finland|🇵🇱 poland|🇺🇦 ukraine|🇬🇷 greece|🇹🇷 turkey|🇮🇳 india|🇨🇳 china|🇯🇵 japan|🇰🇷 south korea|🇦🇺 australia|' +
      '🇳🇿 new zealand|🇿🇦 south africa|🇳🇬 nigeria|🇪🇬 egypt|🇰🇪 kenya')
  }
]

/** Emoji whose name contains every word of `query` (case-insensitive), in category order. */
export function searchEmoji (query: string): EmojiEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0)
  if (words.length === 0) return []
  return EMOJI_CATEGORIES.flatMap((c) => c.entries).filter((e) => words.every((w) => e.name.includes(w)))
}
